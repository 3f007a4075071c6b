"""Search finds every entity with a page by every name it carries, and ranks the intended entity first."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from flask.testing import FlaskClient

from cytokg.search import KINDS, LOOKUPS, MATCHES, PRIORITY, SEARCH_FILE, SearchIndex, normalise, write_index
from cytokg.web.app import create_app
from cytokg.web.pages import OWN_KINDS

from .conftest import BACKENDS, ROOT, backend_config

CYTO = "https://w3id.org/cytokg/"
OBO = "http://purl.obolibrary.org/obo/"
PROTEIN = CYTO + "protein/"

#: (what a person types, the entity that must come first, its kind). IRIs and kinds, never labels, which change.
NAMES = [
    ("IL8", PROTEIN + "HGNC_6025", "gene product"),  # previous symbol of CXCL8
    ("IL-8", PROTEIN + "HGNC_6025", "gene product"),
    ("CXCL8", PROTEIN + "HGNC_6025", "gene product"),
    ("gp130", PROTEIN + "HGNC_6021", "gene product"),
    ("P05231", PROTEIN + "HGNC_6018", "gene product"),
    ("IL-6", PROTEIN + "HGNC_6018", "gene product"),
    ("HGNC:6018", PROTEIN + "HGNC_6018", "gene product"),
    ("3569", PROTEIN + "HGNC_6018", "gene product"),
    ("uniprot:P05231", PROTEIN + "HGNC_6018", "gene product"),  # Bioregistry CURIEs
    ("NCBIGene:3569", PROTEIN + "HGNC_6018", "gene product"),
    ("ENSG00000136244", PROTEIN + "HGNC_6018", "gene product"),
    ("G-CSF", PROTEIN + "HGNC_2438", "gene product"),
    ("TNF-\u03b1", PROTEIN + "HGNC_11892", "gene product"),
    ("tnf alpha", PROTEIN + "HGNC_11892", "gene product"),
    ("IFN-\u03bb1", PROTEIN + "HGNC_18363", "gene product"),
    ("BAFF", PROTEIN + "HGNC_11929", "gene product"),
    ("RANKL", PROTEIN + "HGNC_11926", "gene product"),
    ("TGF-\u03b21", PROTEIN + "HGNC_11766", "gene product"),
    ("MCP-1", PROTEIN + "HGNC_10618", "gene product"),
    ("IL-12", CYTO + "cytokine/IL-12", "cytokine"),
    ("IL-23", CYTO + "cytokine/IL-23", "cytokine"),  # its common name beats a subunit's alias symbol
    ("IL-6 receptor, classic signaling", CYTO + "complex/IL6R-IL6ST-classic", "receptor complex"),
    ("sIL-6R", CYTO + "form/IL6R-soluble", "protein form"),
    ("sgp130", CYTO + "form/IL6ST-soluble", "protein form"),  # a form's synonym beats gp130's alias symbol
    ("tocilizumab", CYTO + "drug/DB06273", "drug"),
    ("DB06273", CYTO + "drug/DB06273", "drug"),
    ("drugbank:DB06273", CYTO + "drug/DB06273", "drug"),
    ("sarilumab", CYTO + "drug/DB11767", "drug"),
    ("baricitinib", CYTO + "drug/DB11817", "drug"),  # the drug before its ChEBI chemical of the same name
    ("rheumatoid arthritis", OBO + "MONDO_0008383", "disease"),
    ("MONDO:0008383", OBO + "MONDO_0008383", "disease"),
    ("psoriasis", OBO + "MONDO_0005083", "disease"),
    ("crohn", OBO + "MONDO_0005011", "disease"),
    ("Crohn's disease", OBO + "MONDO_0005011", "disease"),  # the label is "Crohn disease"
    ("macrophage", OBO + "CL_0000235", "cell type"),
    ("hepatocyte", OBO + "CL_0000182", "cell type"),
    ("Th17", OBO + "CL_0000899", "cell type"),  # a Cell Ontology exact synonym ("Th17 cell")
    ("regulatory T cell", OBO + "CL_0000815", "cell type"),
    ("CL:0000235", OBO + "CL_0000235", "cell type"),
    (OBO + "CL_0000235", OBO + "CL_0000235", "cell type"),  # a pasted IRI
    ("inflammatory response", OBO + "GO_0006954", "biological process"),
    ("angiogenesis", OBO + "GO_0001525", "biological process"),
    ("synovial fluid", OBO + "UBERON_0001090", "anatomy"),
    ("sputum", OBO + "UBERON_0007311", "anatomy"),
    ("alpha-hydroxy ketone", OBO + "CHEBI_139588", "chemical"),
    ("Cleveland Clinic", CYTO + "source/src-001", "source"),
    ("PMID:17708739", CYTO + "source/src-003", "source"),
    ("tocilizumab is a humanized monoclonal antibody", CYTO + "claim/C003-26", "source claim"),
    ("Neurons are not the main source of IL-6", CYTO + "correction/il6-producers", "correction of a source"),
    ("in synovial fluid, correlates with acute-phase proteins", CYTO + "association/A-C000-35", "disease association"),
    ("CCL2 \u2192 CCR5", CYTO + "listing/CCL2--CCR5", "ligand-receptor listing"),
    ("anti-inflammatory role of IL-35", CYTO + "role/IL-35-anti-cytokg-curation", "inflammatory role"),
    ("gp130 family cytokine", CYTO + "vocab/GP130FamilyCytokine", "CytoKG vocabulary"),
    ("ECO:0000312", OBO + "ECO_0000312", "evidence type"),
]


@pytest.fixture(scope="module")
def index(built: Path) -> SearchIndex:
    return SearchIndex(built / SEARCH_FILE)


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> FlaskClient:
    return create_app(built, ROOT / "queries", backend_config(request)).test_client()


def test_the_name_table_covers_every_kind() -> None:
    kinds = {kind for _, _, kind in NAMES}
    assert len(NAMES) >= 40
    assert kinds >= set(PRIORITY) - {"molecular function", "GO term", "relation"}, kinds


@pytest.mark.parametrize(("query", "iri", "kind"), NAMES)
def test_known_names_rank_first(index: SearchIndex, query: str, iri: str, kind: str) -> None:
    hits = index.search(query)
    assert hits, f"nothing found for {query!r}"
    assert (hits[0].iri, hits[0].kind) == (iri, kind), [(h.iri, h.kind, h.why) for h in hits[:3]]


def test_every_own_kind_of_page_has_a_kind_of_hit() -> None:
    """Every CytoKG path segment with pages (web/pages.py) is searchable under a kind in words, ranked."""
    assert set(OWN_KINDS) <= set(KINDS), set(OWN_KINDS) - set(KINDS)
    assert set(KINDS.values()) <= set(PRIORITY)


def test_every_name_finds_its_entity(index: SearchIndex) -> None:
    """Every label, synonym, symbol and identifier of every entity: the entity is among the hits."""
    missing = []
    for _, name, field, entity, _ in index.names():
        if entity not in {hit.iri for hit in index.search(name, limit=100)}:
            missing.append((name, field, entity))
    assert not missing, missing[:20]


def test_hits_say_why(index: SearchIndex) -> None:
    hit = index.search("synovial fluid")[0]
    assert (hit.match, hit.field, hit.matched) == ("exact", "name", "synovial fluid")
    word = next(h for h in index.search("arthritis") if h.iri == OBO + "MONDO_0008383")
    assert (word.match, word.why) == ("word", "a word in the name starts with “arthritis”")
    alias = index.search("macrophage-derived")[0]
    assert alias.match == "prefix" and alias.why.startswith(f"{alias.field} “{alias.matched}” starts with")


def test_lookups_use_indexes(index: SearchIndex) -> None:
    """No lookup reads every name: each is a range on an index, a trigram match or a key lookup."""
    for sql in LOOKUPS:
        plan = index.plan(sql)
        scans = [step for step in plan if step.startswith("SCAN") and "VIRTUAL TABLE" not in step]
        assert not scans, (sql, plan)


def _tiny_index(tmp_path: Path) -> SearchIndex:
    """An index of a few made-up entities whose names match the key ``kin`` in every way."""
    rows = [
        ("protein/A", "https://w3id.org/cytokg/vocab/hgncSymbol", "KIN"),  # exact, gene product
        ("obo:MONDO_1", "http://www.w3.org/2000/01/rdf-schema#label", "kin"),  # exact, disease
        ("obo:MONDO_2", "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym", "kin"),  # exact, loose
        ("obo:CL_1", "http://www.w3.org/2000/01/rdf-schema#label", "kinase cell"),  # prefix
        ("drug/B", "http://www.w3.org/2000/01/rdf-schema#label", "kinetic drug"),  # prefix, kind before cell type
        ("obo:CL_2", "http://www.w3.org/2000/01/rdf-schema#label", "kinship cell"),  # prefix, same kind, longer
        ("obo:UBERON_1", "http://www.w3.org/2000/01/rdf-schema#label", "big kin organ"),  # word
        ("drug/C", "http://www.w3.org/2000/01/rdf-schema#label", "Akin"),  # substring
        ("claim/D", "http://www.w3.org/2000/01/rdf-schema#label", "unrelated"),
    ]
    store = pyoxigraph.Store()
    for subject, predicate, name in rows:
        iri = OBO + subject[4:] if subject.startswith("obo:") else CYTO + subject
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(iri), pyoxigraph.NamedNode(predicate), pyoxigraph.Literal(name)))
    write_index(store, tmp_path / SEARCH_FILE)
    return SearchIndex(tmp_path / SEARCH_FILE)


def test_ranking_rules(tmp_path: Path) -> None:
    """Exact > prefix > word > substring; then own names before loose synonyms; then kind; then the shorter name."""
    hits = _tiny_index(tmp_path).search("kin")
    assert [hit.iri.rsplit("/", 1)[-1] for hit in hits] == [
        "A", "MONDO_1", "MONDO_2", "B", "CL_1", "CL_2", "UBERON_1", "C",
    ]  # fmt: skip
    assert [hit.match for hit in hits] == ["exact"] * 3 + ["prefix"] * 3 + ["word", "substring"]
    assert sorted(hits, key=lambda hit: MATCHES.index(hit.match)) == hits
    assert [hit.kind for hit in hits[:2]] == ["gene product", "disease"]


def test_short_keys_match_starts_only(tmp_path: Path) -> None:
    index = _tiny_index(tmp_path)
    hits = index.search("ki")
    assert {hit.match for hit in hits} == {"prefix", "word"}
    assert CYTO + "drug/C" not in {hit.iri for hit in hits}, "two letters do not match inside a name"
    assert index.search("-") == []


def test_normalise_folds_greek_and_punctuation() -> None:
    assert normalise("IFN-λ1") == normalise("IFN lambda 1") == "ifnl1"


def test_api_search(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "IL8"}).get_json()
    first = body["results"][0]
    assert first["iri"] == PROTEIN + "HGNC_6025" and first["kind"] == "gene product"
    assert first["match"] == "exact" and first["why"]
    assert client.get("/api/search", query_string={"q": "x", "limit": "lots"}).status_code == 400
    assert client.get("/api/search", query_string={"q": ""}).get_json()["results"] == []
    diseases = client.get("/api/search", query_string={"q": "arthritis", "kind": "disease"}).get_json()["results"]
    assert diseases and {hit["kind"] for hit in diseases} == {"disease"}
    refused = client.get("/api/search", query_string={"q": "arthritis", "kind": "protein"})
    assert refused.status_code == 400 and "gene product" in refused.get_json()["error"]


def test_search_page_shows_kind_and_why(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "macrophage"}).get_data(as_text=True)
    assert 'href="/obo/CL_0000235"' in html
    assert "cell type" in html and "exact match on the name" in html
    assert "No match" in client.get("/search", query_string={"q": "zzzzqqq"}).get_data(as_text=True)


def test_search_page_filters_by_kind(client: FlaskClient, index: SearchIndex) -> None:
    kinds = dict(index.kinds("arthritis"))
    assert kinds["disease"] >= 5 and kinds["disease association"] >= 5
    html = client.get("/search", query_string={"q": "arthritis"}).get_data(as_text=True)
    assert f"disease ({kinds['disease']})" in html and "/search?q=arthritis&amp;kind=disease" in html
    html = client.get("/search", query_string={"q": "arthritis", "kind": "disease"}).get_data(as_text=True)
    assert 'data-kind="disease"' in html and 'data-kind="disease association"' not in html
    assert f"{kinds['disease']} matches" in html
