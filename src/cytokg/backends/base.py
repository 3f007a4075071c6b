"""What every backend shares: a query job, its answer, the errors, and the ``Executor`` protocol.

An executor runs every query the app needs through one vetted, time-limited path. ``QueryPool``
(embedded.py, killable processes over the embedded store) and ``RemoteExecutor`` (remote.py, an external
SPARQL store) implement it; the web app depends only on this protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Answer", "Busy", "Executor", "Job", "QueryTimeout", "SlowAnswer", "Term", "serialize_answer"]


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class SlowAnswer(Exception):
    """Writing the answer would take the row-by-row Python path (``serialize_answer`` without ``slow``)."""


class Busy(Exception):
    """No capacity for this query now: answer 503 (or 429 for a client over its share) with Retry-After."""

    def __init__(self, message: str, retry_after: int, status: int = 503) -> None:
        self.retry_after = retry_after
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Term:
    """An RDF term of a page's query result: its kind ("iri", "bnode" or "literal") and its lexical value."""

    kind: str
    value: str

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "iri"


@dataclass(frozen=True)
class Job:
    """One query for the pool.

    ``bindings`` substitute IRIs for variables as RDF terms (SEP-0007), never as text: this is how pages put
    the entity of their URL into a query. With ``rows``, the answer carries the solutions as ``Term`` tuples
    (for pages and stats) instead of a serialized body.
    """

    text: str
    result_media: str | None = "application/sparql-results+json"
    graph_media: str | None = "application/n-triples"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    bindings: tuple[tuple[str, str], ...] = ()
    rows: bool = False
    thorough: bool = False  # vet by a full parse even if the text is plainly safe


@dataclass(frozen=True)
class Answer:
    """A serialized answer (or solutions, for ``Job.rows``), or an error the client caused."""

    status: int
    media: str
    body: bytes
    rows: int = 0
    truncated: bool = False
    error: str = ""
    variables: tuple[str, ...] = ()
    solutions: tuple[tuple[Term | None, ...], ...] = ()


class Executor(Protocol):
    """Runs queries for the app: vetted, time-limited, fair between clients."""

    def run(self, job: Job, client: str = "-") -> Answer:
        """Vet and run ``job`` for ``client``; client errors come back as an error ``Answer``.

        :raises Busy: no capacity for this query now.
        :raises QueryTimeout: the time limit passed and the query was stopped.
        """
        ...

    def close(self) -> None:
        """Stop whatever runs queries (processes, connections)."""
        ...


def _term(term: Any) -> Term | None:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return Term("bnode", term.value)
    return Term("literal", str(getattr(term, "value", term)))


def _first(answer: Any, max_rows: int) -> tuple[list[Any], bool]:
    """The first ``max_rows`` solutions (values in the order of the answer's variables, None where unbound) or
    triples of ``answer``, and whether there were more."""
    import pyoxigraph

    items: list[Any] = []
    for item in answer:
        if len(items) == max_rows:
            return items, True
        items.append(tuple(item) if isinstance(item, pyoxigraph.QuerySolution) else item)
    return items, False


def _written(answer: Any, media: str, form: Any, max_rows: int) -> tuple[bytes, int] | None:
    """``answer`` written by pyoxigraph in ``form`` and the most rows it can hold, or None (nothing written)
    when it may hold more than ``max_rows`` rows or triples."""
    from cytokg.sparql.results import CountingWriter, Overflow

    writer = CountingWriter(media, max_rows)
    try:
        answer.serialize(writer, form)
    except Overflow:
        return None
    return writer.getvalue(), writer.rows


def serialize_answer(
    answer: Any, job: Job, max_rows: int, again: Callable[[], Any] | None = None, slow: bool = True
) -> Answer:
    """Serialize a pyoxigraph answer for ``job``: SELECT/ASK as its result media, CONSTRUCT/DESCRIBE as its
    graph media (406 when there is none), at most ``max_rows`` rows or triples; or solutions for ``job.rows``.

    With ``again`` (runs the query anew), pyoxigraph's own serializer writes the answer when it cannot hold
    more than ``max_rows`` rows (``sparql.results.CountingWriter``; ``Answer.rows`` is its count, more than the
    rows only where values contain its marks);
    otherwise the answer is written row by row and cut at the limit (without ``slow``, ``SlowAnswer`` is raised
    instead: that Python loop would hold the GIL for long). A truncated SELECT answer says so in its JSON or XML
    head (a ``link`` to ``LIMIT_LINK``). Shared by the query processes and threads and the external-store
    executor (remote.py).
    """
    import pyoxigraph

    from cytokg.sparql.formats import GRAPH_TYPES, RESULT_TYPES
    from cytokg.sparql.results import MARKS, limit_link, serialize_boolean, serialize_solutions

    if isinstance(answer, pyoxigraph.QueryBoolean):
        if job.rows:
            return Answer(
                200, "rows", b"", 1, variables=("boolean",), solutions=((Term("literal", str(bool(answer)).lower()),),)
            )
        if job.result_media is None:
            return Answer(406, "results", b"")
        return Answer(200, job.result_media, serialize_boolean(bool(answer), job.result_media), 1)
    if isinstance(answer, pyoxigraph.QuerySolutions):
        if job.rows:
            rows, truncated = _first(answer, max_rows)
            solutions = tuple(tuple(_term(value) for value in row) for row in rows)
            names = tuple(v.value for v in answer.variables)
            return Answer(200, "rows", b"", len(rows), truncated, variables=names, solutions=solutions)
        media = job.result_media
        if media is None:
            return Answer(406, "results", b"")
        if again is not None and media in MARKS:
            written = _written(answer, media, RESULT_TYPES[media], max_rows)
            if written is not None:
                return Answer(200, media, *written)
            if not slow:
                raise SlowAnswer(media)
            answer = again()
        if not slow:
            raise SlowAnswer(media)
        rows, truncated = _first(answer, max_rows)
        link = limit_link(max_rows) if truncated else None
        body = serialize_solutions([v.value for v in answer.variables], rows, media, link)
        return Answer(200, media, body, len(rows), truncated)
    media = job.graph_media
    if media is None:
        return Answer(406, "graph", b"")
    if again is not None and media in MARKS:
        written = _written(answer, media, GRAPH_TYPES[media], max_rows)
        if written is not None:
            return Answer(200, media, *written)
        if not slow:
            raise SlowAnswer(media)
        answer = again()
    if not slow:
        raise SlowAnswer(media)
    triples, truncated = _first(answer, max_rows)
    body = pyoxigraph.serialize(triples, format=GRAPH_TYPES[media]) or b""
    return Answer(200, media, body, len(triples), truncated)
