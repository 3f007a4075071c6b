"""Search finds every entity by every name it carries, and ranks the intended entity first."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cytokg.search import SEARCH_FILE, SearchIndex, normalise
from cytokg.web.app import create_app

from .conftest import BACKENDS, ROOT, backend_config

PROTEIN = "https://w3id.org/cytokg/protein/"


@pytest.fixture(scope="module")
def index(built: Path) -> SearchIndex:
    return SearchIndex(built / SEARCH_FILE)


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> FlaskClient:
    return create_app(built, ROOT / "queries", backend_config(request)).test_client()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("IL8", "HGNC_6025"),  # previous symbol of CXCL8
        ("IL-8", "HGNC_6025"),
        ("gp130", "HGNC_6021"),
        ("P05231", "HGNC_6018"),
        ("IL-6", "HGNC_6018"),
        ("G-CSF", "HGNC_2438"),
        ("TNF-\u03b1", "HGNC_11892"),
        ("tnf alpha", "HGNC_11892"),
        ("HGNC:6018", "HGNC_6018"),
        ("3569", "HGNC_6018"),
        ("IFN-\u03bb1", "HGNC_18363"),
        ("BAFF", "HGNC_11929"),
        ("RANKL", "HGNC_11926"),
        ("uniprot:P05231", "HGNC_6018"),  # Bioregistry CURIEs
        ("NCBIGene:3569", "HGNC_6018"),
        ("ENSG00000136244", "HGNC_6018"),
    ],
)
def test_known_names_rank_first(index: SearchIndex, query: str, expected: str) -> None:
    hits = index.search(query)
    assert hits and hits[0].iri == PROTEIN + expected, [(h.iri, h.matched) for h in hits[:3]]


def test_drugbank_id_finds_the_drug(index: SearchIndex) -> None:
    for query in ("DB06273", "drugbank:DB06273"):
        hits = index.search(query)
        assert hits and hits[0].iri == "https://w3id.org/cytokg/drug/DB06273", [h.iri for h in hits[:3]]


def test_every_name_finds_its_entity(index: SearchIndex) -> None:
    """All previous symbols, aliases, common names, symbols and labels: the entity is among the hits."""
    missing = []
    for normal, name, field, entity, _ in index.names():
        if not normal:
            continue
        if entity not in {hit.iri for hit in index.search(name, limit=100)}:
            missing.append((name, field, entity))
    assert not missing, missing[:20]


def test_normalise_folds_greek_and_punctuation() -> None:
    assert normalise("IFN-λ1") == normalise("IFN lambda 1") == "ifnl1"


def test_api_search(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "IL8"}).get_json()
    assert body["results"][0]["iri"] == PROTEIN + "HGNC_6025"
    assert client.get("/api/search", query_string={"q": "x", "limit": "lots"}).status_code == 400
    assert client.get("/api/search", query_string={"q": ""}).get_json()["results"] == []
