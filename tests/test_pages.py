"""Entity pages dereference every CytoKG IRI (HTML for people, RDF for machines); query, browse and search pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from cytokg.web.app import create_app
from cytokg.web.pages import local_path

from .conftest import BACKENDS, ROOT, backend_config

IL6 = "https://w3id.org/cytokg/protein/HGNC_6018"


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    app = create_app(built, ROOT / "queries", backend_config(request))
    yield app.test_client()
    app.extensions["cytokg"].close()


def test_entity_page_for_people(client: FlaskClient) -> None:
    page = client.get("/protein/HGNC_6018", headers={"Accept": "text/html"}).get_data(as_text=True)
    for expected in (
        "IL-6",
        "P05231",
        "https://www.uniprot.org/uniprotkb/P05231/entry",
        "/complex/IL6R-IL6ST-trans",
        "HGNC:6018",
        "CytoKG curation of mainstream immunology",
    ):
        assert expected in page, expected


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".ttl", "turtle"), (".nt", "nt"), (".rdf", "xml"), (".jsonld", "json-ld")]
)
def test_entity_by_suffix(client: FlaskClient, suffix: str, fmt: str) -> None:
    response = client.get("/protein/HGNC_6018" + suffix)
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert (URIRef(IL6), None, None) in graph


@pytest.mark.parametrize(
    "media", ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
)
def test_entity_by_negotiation(client: FlaskClient, media: str) -> None:
    response = client.get("/protein/HGNC_6018", headers={"Accept": media})
    assert response.status_code == 200 and response.mimetype == media


def test_every_kind_of_iri_dereferences(client: FlaskClient) -> None:
    for iri in (
        IL6,
        "https://w3id.org/cytokg/vocab/Cytokine",
        "https://w3id.org/cytokg/complex/IL6R-IL6ST-trans",
        "https://w3id.org/cytokg/form/IL6R-soluble",
        "https://w3id.org/cytokg/source/src-003",
        "https://w3id.org/cytokg/claim/C003-27",
        "http://purl.obolibrary.org/obo/CL_0000235",
    ):
        path = local_path(iri)
        assert path and client.get(path).status_code == 200, iri


def test_unknown_entity_is_404(client: FlaskClient) -> None:
    assert client.get("/protein/HGNC_999999999").status_code == 404
    assert client.get("/protein/HGNC_6018.exe").status_code == 404


def test_a_shared_query_link_opens_the_query_escaped_and_runs_it(client: FlaskClient) -> None:
    shared = 'SELECT ?s WHERE { ?s ?p "</textarea><script>alert(1)</script>" } LIMIT 3'
    page = client.get("/query", query_string={"query": shared}).get_data(as_text=True)
    assert "SELECT ?s WHERE { ?s ?p &#34;&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#34; } LIMIT 3" in page
    assert "<script>alert(1)" not in page
    assert 'data-run="yes"' in page, "the page's script runs a shared query when it opens"
    assert 'id="permalink"' in page and 'id="share"' in page
    default = client.get("/query", query_string={"query": "x" * 70_000}).get_data(as_text=True)
    assert "?cytokine a cyto:Interleukin" in default, "a link longer than a query may be opens the default query"
    assert 'data-run=""' in default, "and does not run it"
    assert 'data-run=""' in client.get("/query").get_data(as_text=True), "the default query waits for Run"


def test_the_editor_and_icon_are_served_from_the_package(client: FlaskClient) -> None:
    page = client.get("/query").get_data(as_text=True)
    for asset in ("codemirror.js", "codemirror.css", "sparql.js", "show-hint.js", "show-hint.css", "matchbrackets.js"):
        path = f"/static/vendor/codemirror/{asset}"
        assert path in page and client.get(path).status_code == 200, asset
    loaded = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"', page)
    assert len(loaded) >= 9 and all(url.startswith("/static/") for url in loaded), f"works offline: {loaded}"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_query_browse_search_pages(client: FlaskClient) -> None:
    query = client.get("/query").get_data(as_text=True)
    assert "CQ16" in query and "cq16-gp130-family" in query
    browse = client.get("/browse").get_data(as_text=True)
    assert "CXC chemokine" in browse and "IL6ST" in browse
    search = client.get("/search", query_string={"q": "IL8"}).get_data(as_text=True)
    assert "/protein/HGNC_6025" in search


def test_entity_page_sections(client: FlaskClient) -> None:
    il6 = client.get("/protein/HGNC_6018").get_data(as_text=True)
    for section in (
        "Receptor complexes",
        "Disease associations",
        "Drugs that target it",
        "Inflammatory roles",
        "Listed by ligand-receptor resources",
        "Source claims behind these statements",
    ):
        assert f"<h2>{section}</h2>" in il6, section
    assert "IL6 → IL6R + IL6ST, as ligand-receptor resources list it" in il6
    assert "<td>IUPHAR/BPS Guide to Pharmacology, Kirouac 2010 cytokine-receptor compendium</td>" in il6, "sorted"
    assert (
        "<td>in CytoKG</td><td>IL-6 receptor, classic signaling (membrane IL-6R/gp130); IL-6 receptor, "
        "trans-presentation" in il6
    )
    assert "<td>not in CytoKG</td><td>No binding of IL-6 to the histamine H1 receptor" in il6
    assert "synovial fluid" in il6 and "osteoarthritis" in il6, "qualifiers of C000-33 shown inline"
    assert "IL-6 found at higher levels in synovial fluid" in il6, "the claim behind C000-33, in words"
    assert "trans-signaling" in il6 and "Siltuximab" in il6
    shown = re.sub(r"<[^>]*>", " ", il6)  # the text a reader sees; links may carry keys in their IRIs
    assert not re.search(r"\b[AD]-C00\d-\d\d\b|erratum E\d|FACTS\.md", shown), "no curation keys on the page"
    il6r = client.get("/protein/HGNC_6019").get_data(as_text=True)
    assert "Tocilizumab" in il6r and "receptor-blocking antibody" in il6r


def _summary(page: str) -> str:
    """The summary block of a page's HTML."""
    start = page.index('<section class="summary" id="summary">')
    return page[start : page.index("</section>", start)]


def _section(page: str, title: str) -> str:
    """One folded section's HTML, found by its title."""
    start = page.index(f"<h2>{title}</h2>")
    return page[start : page.index("</details>", start)]


def _visible(page: str) -> str:
    """The text a reader sees without unfolding "All statements"."""
    return re.sub(r"<[^>]*>", " ", page.split('<details class="statements"')[0])


OLS_CL = (
    "https://www.ebi.ac.uk/ols4/ontologies/cl/classes/http%253A%252F%252Fpurl.obolibrary.org%252Fobo%252FCL_0000235"
)


def test_summary_opens_the_gene_product_page(client: FlaskClient) -> None:
    page = client.get("/protein/HGNC_6018").get_data(as_text=True)
    summary = _summary(page)
    for link in (
        "https://www.uniprot.org/uniprotkb/P05231/entry",
        "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6018",
        "https://www.ncbi.nlm.nih.gov/gene/3569",
        "https://www.ensembl.org/id/ENSG00000136244",
        'href="/vocab/Interleukin"',
    ):
        assert link in summary, link
    assert '<span class="symbol">IL6</span>' in summary and "BSF-2" in summary, "symbol and synonyms"
    assert page.index('id="summary"') < page.index("<h2>Receptor complexes</h2>"), "summary first"
    assert '<details class="table" id="disease-associations">' in page, "a long section starts folded"
    assert '<details class="table" id="drugs-that-target-it" open>' in page, "a short one is open"
    assert 'href="/obo/CL_0000235"' in _section(page, "Cell types that produce it")


def test_disease_page(client: FlaskClient) -> None:
    page = client.get("/obo/MONDO_0008383").get_data(as_text=True)
    summary = _summary(page)
    assert "disease" in summary and "MONDO:0008383" in summary and "ols4/ontologies/mondo/classes/" in summary
    assert 'href="/obo/MONDO_0005578"' in summary, "its parent"
    cytokines = _section(page, "Cytokines associated with it")
    assert 'href="/protein/HGNC_6018"' in cytokines and "pathogenic driver" in cytokines
    assert "curator inference used in manual assertion" in cytokines, "evidence in words"
    assert 'href="/drug/DB06273"' in _section(page, "Drugs for it")


def test_cell_type_page(client: FlaskClient) -> None:
    page = client.get("/obo/CL_0000235").get_data(as_text=True)
    assert OLS_CL in _summary(page) and "cell type" in _summary(page)
    produces = _section(page, "Cytokines it produces")
    assert 'href="/protein/HGNC_6018"' in produces and "CytoKG curation of mainstream immunology" in produces
    assert "<td>activated</td>" in produces, "the cell state"
    assert "<h2>Cytokines that act on it</h2>" in page


def test_drug_page(client: FlaskClient) -> None:
    page = client.get("/drug/DB06273").get_data(as_text=True)
    assert "https://go.drugbank.com/drugs/DB06273" in _summary(page)
    targets = _section(page, "Targets")
    assert 'href="/protein/HGNC_6019"' in targets and "receptor-blocking antibody" in targets
    assert 'href="/obo/MONDO_0008383"' in _section(page, "Indications")
    assert 'href="/claim/C003-27"' in _section(page, "What sources said about it")


def test_process_anatomy_complex_form_source_and_claim_pages(client: FlaskClient) -> None:
    process = client.get("/obo/GO_0006954").get_data(as_text=True)
    involved = _section(process, "Cytokines involved")
    assert 'href="/protein/HGNC_5991"' in involved and "involved in positive regulation of" in involved
    plasma = client.get("/obo/UBERON_0001969").get_data(as_text=True)
    assert "ols4/ontologies/uberon/classes/" in _summary(plasma)
    assert 'href="/protein/HGNC_6018"' in _section(plasma, "Cytokines measured in it")
    complex_ = client.get("/complex/IL6R-IL6ST-trans").get_data(as_text=True)
    subunits = _section(complex_, "Subunits")
    assert 'href="/form/IL6R-soluble"' in subunits and "ligand-binding" in subunits
    assert 'href="/protein/HGNC_6018"' in _section(complex_, "Ligands")
    drugs = _section(complex_, "Drugs that target a subunit")
    for drug in ("DB06273", "DB11767", "DB15762"):  # tocilizumab, sarilumab, satralizumab: via the IL6R gene
        assert f'href="/drug/{drug}"' in drugs, drug
    form = client.get("/form/IL6R-soluble").get_data(as_text=True)
    assert 'href="/protein/HGNC_6019"' in _summary(form), "the gene it is a form of"
    assert 'href="/complex/IL6R-IL6ST-trans"' in _section(form, "Receptor complexes with this form")
    source = client.get("/source/src-003").get_data(as_text=True)
    assert "https://pubmed.ncbi.nlm.nih.gov/17708739/" in _summary(source)
    assert 'href="/claim/C003-27"' in _section(source, "Claims from this source")
    claim = client.get("/claim/C003-27").get_data(as_text=True)
    assert 'href="/source/src-003"' in _summary(claim)
    assert 'href="/drug/DB06273"' in _section(claim, "What it is about")


@pytest.mark.parametrize(
    "path",
    [
        "/protein/HGNC_6018",
        "/obo/MONDO_0008383",
        "/obo/CL_0000235",
        "/drug/DB06273",
        "/source/src-003",
        "/claim/C003-27",
        "/form/IL6R-soluble",
    ],
)
def test_no_curation_keys_above_the_statements(client: FlaskClient, path: str) -> None:
    shown = _visible(client.get(path).get_data(as_text=True))
    assert not re.search(r"\b[AD]-C00\d-\d\d\b|\bC00\d-[\dM]+\b|erratum E\d|FACTS\.md", shown), path


def test_an_example_link_opens_that_example_unrun(client: FlaskClient) -> None:
    page = client.get("/query", query_string={"example": "cq16-gp130-family"})
    html = page.get_data(as_text=True)
    chosen = re.search(r'<option value="\d+" title="[^"]*" selected>([^<]*)</option>', html)
    assert page.status_code == 200 and chosen is not None and chosen.group(1).startswith("CQ16")
    assert "IL6ST" in html.split('id="query"', 1)[1].split("</textarea>", 1)[0]
    assert 'data-run=""' in html, "an example opens for reading; the user runs it"
    unknown = client.get("/query", query_string={"example": "no-such-example<script>"})
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 404 and "There is no example query of that name" in text
    assert "?cytokine a cyto:Interleukin" in text and "no-such-example<script>" not in text


def test_the_vocabulary_links_each_using_query_to_the_query_page(client: FlaskClient) -> None:
    html = client.get("/vocabulary").get_data(as_text=True)
    linked = set(re.findall(r'href="/query\?example=([\w-]+)"', html))
    assert "cq16-gp130-family" in linked and len(linked) >= 20
    for name in sorted(linked)[:5]:
        assert client.get("/query", query_string={"example": name}).status_code == 200


def test_a_correction_has_a_page_with_the_claims_it_corrects(client: FlaskClient) -> None:
    page = client.get("/correction/il6-producers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Neurons are not the main source of IL-6" in _summary(html)
    corrected = _section(html, "What the sources said")
    assert 'href="/claim/C004-40"' in corrected and 'href="/claim/C004-41"' in corrected
    claim = client.get("/claim/C004-40").get_data(as_text=True)
    assert 'href="/correction/il6-producers"' in claim, "the claim links its correction"
    said_otherwise = _section(
        client.get("/correction/interleukin-receptor-signaling").get_data(as_text=True), "Claims that say otherwise"
    )
    assert 'href="/claim/C002-08"' in said_otherwise
