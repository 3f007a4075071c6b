"""Answers written by pyoxigraph's serializer under the row limit: the row bound holds, the limit stays exact."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pyoxigraph
import pytest

from cytokg.backends.base import Job, serialize_answer
from cytokg.sparql.formats import GRAPH_TYPES, RESULT_TYPES
from cytokg.sparql.results import MARKS, CountingWriter, Overflow, serialize_solutions

EX = "http://example.org/"
#: Values holding every mark (and XML/CSV/TSV specials), so that an undercount would show.
AWKWARD = ["plain", 'a},{"b', "line\nend\r\n", "<result> & </result>", "x ; y , z . w", '"quoted"\t', "é"]
SELECT = f"SELECT ?s ?o ?missing WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s ?o"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"


def _store(rows: int, awkward: bool = False) -> pyoxigraph.Store:
    """``rows`` subjects, each with one value: plain literals, or the awkward ones and an integer and a bnode."""
    store = pyoxigraph.Store()
    integer = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    for number in range(rows):
        value: Any = pyoxigraph.Literal(f"value {number}")
        if awkward:
            kinds: list[Any] = [pyoxigraph.Literal(text, language="en") for text in AWKWARD]
            kinds += [pyoxigraph.Literal(str(number), datatype=integer), pyoxigraph.BlankNode(f"b{number}")]
            value = kinds[number % len(kinds)]
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"{EX}s{number:05}"), pyoxigraph.NamedNode(f"{EX}p"), value))
    return store


def _run(store: pyoxigraph.Store, query: str) -> Any:
    """The answer to ``query``, untyped: pyoxigraph's stubs do not know that its writers take any ``write``."""
    return store.query(query)


def _solutions(body: bytes, media: str) -> list[tuple[str | None, ...]]:
    """The rows of a SELECT body as N-Triples strings in order (CSV, which pyoxigraph cannot read: its cells)."""
    if media == "text/csv":
        head, *rows = csv.reader(io.StringIO(body.decode(), newline=""))
        assert head == ["s", "o", "missing"]
        return [tuple(row) for row in rows]
    answer = pyoxigraph.parse_query_results(body, format=RESULT_TYPES[media])
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    return [tuple(None if v is None else str(v) for v in row) for row in answer]


def _bound(store: pyoxigraph.Store, query: str, media: str, form: Any) -> int:
    writer = CountingWriter(media, 10**9)
    _run(store, query).serialize(writer, form)
    return writer.rows


@pytest.mark.parametrize("media", [m for m in MARKS if m in RESULT_TYPES])
@pytest.mark.parametrize("rows", [0, 1, 2, 9, 700])
def test_the_row_bound_holds_and_is_exact_on_plain_values(media: str, rows: int) -> None:
    """The marks never count fewer rows than the answer has (values full of marks only raise the count), and
    on plain values pyoxigraph's writer puts them where MARKS says: one a row."""
    awkward = _bound(_store(rows, awkward=True), SELECT, media, RESULT_TYPES[media])
    assert awkward >= rows
    assert _bound(_store(rows), SELECT, media, RESULT_TYPES[media]) == rows


@pytest.mark.parametrize("media", [m for m in MARKS if m in RESULT_TYPES])
@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("SELECT * WHERE {}", 1),  # one row of no variables
        ("SELECT ?x WHERE { VALUES ?y { 1 2 } }", 2),  # two rows, every value unbound
        ("SELECT * WHERE { FILTER(false) }", 0),
        ("SELECT ?x WHERE { FILTER(false) }", 0),
    ],
)
def test_rows_without_values_are_counted(media: str, query: str, rows: int) -> None:
    assert _bound(pyoxigraph.Store(), query, media, RESULT_TYPES[media]) == rows


@pytest.mark.parametrize("media", [m for m in MARKS if m in GRAPH_TYPES])
@pytest.mark.parametrize("rows", [0, 1, 2, 9, 700])
def test_the_triple_bound_holds_and_is_exact_on_plain_values(media: str, rows: int) -> None:
    awkward = _bound(_store(rows, awkward=True), CONSTRUCT, media, GRAPH_TYPES[media])
    assert awkward >= rows
    assert _bound(_store(rows), CONSTRUCT, media, GRAPH_TYPES[media]) == rows


def test_a_mark_cut_between_two_writes_is_counted() -> None:
    body = _run(_store(50), SELECT).serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b""
    whole = CountingWriter("application/sparql-results+json", 10**9)
    whole.write(body)
    pieces = CountingWriter("application/sparql-results+json", 10**9)
    for start in range(len(body)):
        pieces.write(body[start : start + 1])
    assert pieces.rows == whole.rows == 50
    assert pieces.getvalue() == body


def test_the_writer_stops_past_the_limit() -> None:
    writer = CountingWriter("text/tab-separated-values", 3)
    with pytest.raises(Overflow):
        _run(_store(5), SELECT).serialize(writer, pyoxigraph.QueryResultsFormat.TSV)


def _answer(store: pyoxigraph.Store, query: str, job: Job, max_rows: int) -> tuple[Any, int]:
    """``serialize_answer`` with pyoxigraph's writer allowed, and how often the query had to run again."""
    runs = []

    def again() -> Any:
        runs.append(1)
        return store.query(query)

    answer: Callable[[], Any] = again
    return serialize_answer(store.query(query), job, max_rows, answer), len(runs)


@pytest.mark.parametrize("media", list(RESULT_TYPES))
def test_answers_mean_what_the_row_by_row_writer_says(media: str) -> None:
    """Same rows in the same order as the row-by-row writer's, in every format; under the limit, no second run."""
    store = _store(40, awkward=True)
    answer, runs = _answer(store, SELECT, Job(SELECT, result_media=media), 100)
    names = ["s", "o", "missing"]
    expected = serialize_solutions(names, [tuple(row) for row in _run(store, SELECT)], media)
    assert (answer.status, answer.truncated, runs) == (200, False, 0)
    assert _solutions(answer.body, media) == _solutions(expected, media)


@pytest.mark.parametrize("media", list(RESULT_TYPES))
def test_over_the_limit_the_answer_is_cut_and_marked(media: str) -> None:
    store = _store(40, awkward=True)
    answer, runs = _answer(store, SELECT, Job(SELECT, result_media=media), 39)
    assert (answer.status, answer.truncated, answer.rows, runs) == (200, True, 39, 1)
    assert len(_solutions(answer.body, media)) == 39
    if media in ("application/sparql-results+json", "application/sparql-results+xml"):
        assert b"truncated-at-39" in answer.body


@pytest.mark.parametrize("media", list(GRAPH_TYPES))
@pytest.mark.parametrize(("limit", "truncated"), [(40, False), (39, True)])
def test_graph_answers_keep_the_exact_limit(media: str, limit: int, truncated: bool) -> None:
    store = _store(40, awkward=True)
    answer, _ = _answer(store, CONSTRUCT, Job(CONSTRUCT, graph_media=media), limit)
    parsed = list(pyoxigraph.parse(answer.body, format=GRAPH_TYPES[media]))
    assert (answer.status, answer.truncated, len(parsed)) == (200, truncated, min(40, limit))
