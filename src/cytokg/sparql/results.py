"""Serialize SPARQL results under a row limit (never silent truncation).

Most answers are far below the limit: pyoxigraph's own serializer writes them through ``CountingWriter``, which
counts a mark that its writer puts once into every row (or triple) and stops it once the count allows more
rows than the limit. Only then is the answer written again here, row by row, cut at the limit and marked.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

__all__ = [
    "LIMIT_LINK",
    "MARKS",
    "CountingWriter",
    "Overflow",
    "limit_link",
    "serialize_boolean",
    "serialize_solutions",
]

#: Marks a truncated answer in the SPARQL JSON/XML head (the response header says it for every format).
LIMIT_LINK = "https://w3id.org/cytokg/vocab/resultLimit"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_WHITESPACE = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
#: Media type → the marks pyoxigraph's writer puts into its output once per row (SELECT) or triple
#: (CONSTRUCT/DESCRIBE), and how many its head always holds. Values may contain a mark but never escape one, so
#: counting can only find more rows than there are. JSON opens the first row with ``[{`` and each next one with
#: ``},{``; XML opens each row with ``<result>`` (``<`` is escaped in values); CSV and TSV end the head and each
#: row with a line end (TSV escapes line ends in values); N-Triples ends each triple with one; Turtle ends each
#: with `` ,``, `` ;`` or `` .``. tests/test_results.py checks these marks against the installed pyoxigraph.
MARKS: dict[str, tuple[tuple[bytes, ...], int]] = {
    "application/sparql-results+json": ((b"[{", b"},{"), 0),
    "application/sparql-results+xml": ((b"<result>",), 0),
    "text/csv": ((b"\n",), 1),
    "text/tab-separated-values": ((b"\n",), 1),
    "application/n-triples": ((b"\n",), 0),
    "text/turtle": ((b" ,", b" ;", b" ."), 0),
}


class Overflow(Exception):
    """The output may hold more rows than the limit: write it again with ``serialize_solutions``."""


class CountingWriter:
    """A binary output for pyoxigraph's serializers that keeps what it is given and raises ``Overflow`` as soon
    as the marks counted so far (``MARKS``) allow more than ``max_rows`` rows, so the body stays exact."""

    def __init__(self, media: str, max_rows: int) -> None:
        self.marks, head = MARKS[media]
        self.max_rows = max_rows
        self.rows = -head  # the most rows the output so far can hold
        self._parts: list[bytes] = []
        self._tail = b""  # the end of the output so far: a mark may straddle two chunks
        self._width = max(len(mark) for mark in self.marks) - 1

    def write(self, data: bytes) -> int:
        """Keep ``data``; raise ``Overflow`` once the output may hold more than ``max_rows`` rows."""
        joined = self._tail + data  # the tail's marks were counted with the previous chunk
        self.rows += sum(joined.count(mark) - self._tail.count(mark) for mark in self.marks)
        if self.rows > self.max_rows:
            raise Overflow(f"more than {self.max_rows} rows")
        self._parts.append(data)
        self._tail = joined[-self._width :] if self._width else b""
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the output is kept in memory."""

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self._parts)


def _json_term(term: Any) -> str:
    """A term as SPARQL JSON, written directly: this runs for every value of every JSON answer."""
    kind = type(term)
    if kind is pyoxigraph.NamedNode:
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if kind is pyoxigraph.Literal:
        value = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return value + ',"xml:lang":' + encode_basestring(term.language) + "}"
        datatype = term.datatype.value
        return value + ("}" if datatype == _XSD_STRING else ',"datatype":' + encode_basestring(datatype) + "}")
    if kind is pyoxigraph.BlankNode:
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    return '{"type":"literal","value":' + encode_basestring(str(term)) + "}"


def _text(value: str) -> str:
    """XML text whose whitespace survives readers that trim or normalize it (as pyoxigraph's writer does it)."""
    return escape(value, _WHITESPACE)


def _xml_term(term: object) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{_text(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{_text(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_text(term.value)}</literal>"
        if term.datatype.value not in (_XSD_STRING, _RDF_LANG):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_text(term.value)}</literal>"
        return f"<literal>{_text(term.value)}</literal>"
    return f"<literal>{_text(str(term))}</literal>"


def _csv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def _tsv_term(term: object) -> str:
    return "" if term is None else str(term)


def limit_link(max_rows: int) -> str:
    """The head link of an answer cut at ``max_rows`` rows.

    >>> limit_link(100)
    'https://w3id.org/cytokg/vocab/resultLimit#truncated-at-100'
    """
    return f"{LIMIT_LINK}#truncated-at-{max_rows}"


def serialize_solutions(
    variables: Sequence[str], rows: Iterable[Sequence[object | None]], media: str, link: str | None = None
) -> bytes:
    """Write SELECT results in one of the four SPARQL result formats; ``link`` goes into the JSON/XML head."""
    rows = list(rows)
    if media == "application/sparql-results+json":
        keys = [encode_basestring(v) + ":" for v in variables]
        bindings = ",".join(
            "{" + ",".join(key + _json_term(t) for key, t in zip(keys, row, strict=True) if t is not None) + "}"
            for row in rows
        )
        head: dict[str, list[str]] = {"vars": list(variables)} | ({"link": [link]} if link else {})
        return ('{"head":' + json.dumps(head) + ',"results":{"bindings":[' + bindings + "]}}").encode()
    if media == "application/sparql-results+xml":
        declared = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        declared += f"<link href={quoteattr(link)}/>" if link else ""
        body = "".join(
            "<result>"
            + "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            + "</result>"
            for row in rows
        )
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{declared}</head><results>{body}</results></sparql>\n"
        ).encode()
    if media == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buffer.getvalue().encode()
    if media == "text/tab-separated-values":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unsupported result type {media}")


def serialize_boolean(value: bool, media: str) -> bytes:
    """Write an ASK result."""
    if media == "application/sparql-results+json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media == "application/sparql-results+xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if media == "text/csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    if media == "text/tab-separated-values":
        return f"?_askResult\n{'true' if value else 'false'}\n".encode()
    raise ValueError(f"unsupported result type {media}")
