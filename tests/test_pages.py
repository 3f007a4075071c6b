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
