"""``text:matches``: the search index in SPARQL, expanded in the query process, never pasting request text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from cytokg.cli import main
from cytokg.release import SEARCH_FILE
from cytokg.search import TEXT_LIMIT, TEXT_MATCHES, TEXT_PATTERNS, SearchIndex, TextSearchError, expand_text_search
from cytokg.web.app import create_app

from .conftest import ROOT

PREFIXES = "PREFIX text: <https://w3id.org/cytokg/text#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
JSON = {"Accept": "application/sparql-results+json"}


def _values(text: str) -> list[str]:
    """The IRIs of the one VALUES block an expansion wrote."""
    block = re.search(r"VALUES \?\w+ \{([^}]*)\}", text)
    assert block, text
    return re.findall(r"<([^>]*)>", block.group(1))


@pytest.fixture(scope="module")
def index(built: Path) -> Path:
    return built / SEARCH_FILE


def test_pattern_becomes_the_index_hits_best_first(index: Path) -> None:
    expanded = expand_text_search(PREFIXES + 'SELECT ?e WHERE { ?e text:matches "IL-1β" . ?e rdfs:label ?l }', index)
    assert _values(expanded) == [hit.iri for hit in SearchIndex(index).search("IL-1β", limit=TEXT_LIMIT)]
    assert _values(expanded)[0] == "https://w3id.org/cytokg/protein/HGNC_5992"
    assert "text:matches" not in expanded and "IL-1β" not in expanded
    assert expanded.endswith("?e rdfs:label ?l }")


def test_full_iri_long_string_and_escapes_are_read(index: Path) -> None:
    expanded = expand_text_search(f'SELECT ?e WHERE {{ ?e <{TEXT_MATCHES}> """gp\\u0031\\u00330""" }}', index)
    assert "https://w3id.org/cytokg/protein/HGNC_6021" in _values(expanded)


def test_hits_are_bounded(index: Path) -> None:
    assert len(_values(expand_text_search(PREFIXES + 'SELECT ?e { ?e text:matches "re" }', index))) == TEXT_LIMIT


def test_words_never_reach_the_query(index: Path) -> None:
    hostile = 'x\\" } } SERVICE <http://example.org/sparql> { ?s ?p ?o } #'
    expanded = expand_text_search(PREFIXES + f'SELECT ?e {{ ?e text:matches "{hostile}" }}', index)
    assert "SERVICE" not in expanded and "example.org" not in expanded
    assert _values(expanded) == []


@pytest.mark.parametrize(
    "pattern",
    [
        '<https://w3id.org/cytokg/x> text:matches "IL6"',  # not a variable subject
        "?e text:matches ?words",  # not a string
        '?e text:matches "IL6"@en',  # not a plain string
        '?e text:matches "IL6" ; rdfs:label ?l',  # not a pattern of its own
        '?e rdfs:label ?l ; text:matches "IL6"',
        '?e text:matches/rdfs:label "IL6"',
        '?e text:matches "IL6", "IL1"',
    ],
)
def test_other_uses_are_refused(index: Path, pattern: str) -> None:
    with pytest.raises(TextSearchError, match="text:matches"):
        expand_text_search(PREFIXES + f"SELECT * {{ {pattern} }}", index)


def test_a_query_may_search_a_few_times(index: Path) -> None:
    """Each pattern becomes up to TEXT_LIMIT IRIs of query text: many patterns would make a huge query."""
    patterns = " ".join(f'?e{i} text:matches "IL{i}" .' for i in range(TEXT_PATTERNS + 1))
    with pytest.raises(TextSearchError, match=f"{TEXT_PATTERNS} times at most"):
        expand_text_search(PREFIXES + f"SELECT * {{ {patterns} }}", index)
    allowed = " ".join(f'?e{i} text:matches "IL{i}" .' for i in range(TEXT_PATTERNS))
    assert "text:matches" not in expand_text_search(PREFIXES + f"SELECT * {{ {allowed} }}", index)


def test_a_release_without_index_refuses(tmp_path: Path) -> None:
    with pytest.raises(TextSearchError, match="no search index"):
        expand_text_search(PREFIXES + 'SELECT * { ?e text:matches "IL6" }', tmp_path / SEARCH_FILE)
    plain = "SELECT * { ?s ?p ?o }"
    assert expand_text_search(plain, tmp_path / SEARCH_FILE) == plain


def test_cytokg_query_reads_the_index(built: Path, tmp_path: Path) -> None:
    query = tmp_path / "query.rq"
    query.write_text(PREFIXES + 'SELECT ?l WHERE { ?e text:matches "oncostatin M" ; rdfs:label ?l }', encoding="utf-8")
    refused = CliRunner().invoke(main, ["query", str(query), "--build-dir", str(built), "--format", "tsv"])
    assert refused.exit_code == 2 and f"{query}: SPARQL syntax error: text:matches" in refused.output
    query.write_text(
        PREFIXES + 'SELECT ?l WHERE { ?e text:matches "oncostatin M" . ?e rdfs:label ?l }', encoding="utf-8"
    )
    answered = CliRunner().invoke(main, ["query", str(query), "--build-dir", str(built), "--format", "tsv"])
    assert answered.exit_code == 0, answered.output
    assert answered.output.splitlines()[:2] == ["l", "OSM"]


@pytest.fixture(scope="module")
def client(built: Path) -> Iterator[FlaskClient]:
    app = create_app(built, ROOT / "queries")
    yield app.test_client()
    app.extensions["cytokg"].close()


def test_endpoint_answers_through_the_pool(client: FlaskClient) -> None:
    query = PREFIXES + 'SELECT ?e ?l WHERE { ?e text:matches "gp130" . ?e rdfs:label ?l } LIMIT 3'
    answer = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert answer.status_code == 200
    rows = answer.get_json()["results"]["bindings"]
    assert rows[0]["e"]["value"] == "https://w3id.org/cytokg/protein/HGNC_6021" and len(rows) == 3


def test_endpoint_refuses_misuse_with_400(client: FlaskClient) -> None:
    query = PREFIXES + "SELECT * WHERE { ?e text:matches ?words }"
    answer = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert answer.status_code == 400
    assert "text:matches" in answer.get_data(as_text=True)
