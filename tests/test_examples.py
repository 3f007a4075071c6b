"""Every curated example query has a header, returns its expected answer, and agrees between Oxigraph and rdflib."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph

from cytokg.queries import Table, read_header, run_query_text, term_text
from cytokg.release import SEARCH_FILE
from cytokg.search import expand_text_search
from cytokg.store import open_store

from .conftest import ROOT, result_rows

EXAMPLES = sorted((ROOT / "queries" / "examples").glob("*.rq"))


def _expected(path: Path) -> Table:
    with path.with_suffix(".expected.tsv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return Table(rows[0], rows[1:])


def _as_cytokg_reads(built: Path, path: Path) -> str:
    """The example's text with ``text:matches`` expanded from the release's search index, as `cytokg query` and
    the query processes read it."""
    return expand_text_search(path.read_text(encoding="utf-8"), built / SEARCH_FILE)


def _cell(cell: str) -> str:
    """A GROUP_CONCAT cell with its parts sorted: SPARQL leaves the concatenation order open."""
    return "|".join(sorted(cell.split("|")))


def _canonical(rows: list[list[str]]) -> list[tuple[str, ...]]:
    """Rows with GROUP_CONCAT cells sorted, in sorted order."""
    return sorted(tuple(_cell(cell) for cell in row) for row in rows)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 33  # CQ1 to CQ31 plus catalog questions


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_has_header_and_expected_answer(path: Path) -> None:
    header = read_header(path)
    assert header.get("title") and header.get("description"), "start with '# Title:' and '# Description:'"
    assert path.with_suffix(".expected.tsv").exists(), f"write {path.stem}.expected.tsv (cytokg query --format tsv)"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_returns_expected_answer(built: Path, path: Path) -> None:
    answer = run_query_text(open_store(built / "oxigraph"), _as_cytokg_reads(built, path), path)
    expected = _expected(path)
    assert answer.columns == expected.columns
    assert answer.rows, "an example must return rows"
    in_order = [[_cell(c) for c in row] for row in answer.rows]
    assert in_order == [[_cell(c) for c in row] for row in expected.rows], (
        f"answers changed: review, then regenerate {path.stem}.expected.tsv"
    )


@pytest.fixture(scope="module")
def rdflib_graph(built: Path) -> Graph:
    return Graph().parse(built / "cytokg.nt", format="nt")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_oxigraph_and_rdflib_agree(built: Path, rdflib_graph: Graph, path: Path) -> None:
    text = _as_cytokg_reads(built, path)
    oxigraph = run_query_text(open_store(built / "oxigraph"), text, path)
    result = rdflib_graph.query(text)
    names = [str(v) for v in result.vars or []]
    rows = [[term_text(row[name]) if row[name] is not None else "" for name in names] for row in result_rows(result)]
    assert names == oxigraph.columns
    assert _canonical(rows) == _canonical(oxigraph.rows)
