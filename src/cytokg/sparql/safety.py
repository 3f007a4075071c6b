"""Refuse what a public read-only endpoint must never run: updates, SERVICE, LOAD."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cytokg.sparql.lexemes import nesting_depth, plainly_safe, read

__all__ = ["QueryRefused", "inspect_query", "nesting_depth", "plainly_safe", "query_dataset", "syntax_error"]


class QueryRefused(Exception):
    """A query that parses but is not allowed here (HTTP 400/403)."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def inspect_query(text: str, allowed_services: frozenset[str] = frozenset(), *, thorough: bool = False) -> bool:
    """Parse ``text`` as a SPARQL 1.1 query and refuse updates and unlisted SERVICE calls; plainly safe text
    is parsed only if ``thorough`` (to explain why a store refused it).

    :returns: whether the query names its own dataset (FROM / FROM NAMED).

    :raises SyntaxError: the text is not a SPARQL query (message includes the position).
    :raises QueryRefused: an update, or a SERVICE whose IRI is not in ``allowed_services``.
    """
    if not thorough and plainly_safe(text):
        return False  # the store still parses it; syntax_error() explains a rejection the rdflib way
    parsed = _parse(text)
    has_dataset = False
    calls = 0
    for node in _walk(parsed):
        name = getattr(node, "name", None)
        if name == "DatasetClause":
            has_dataset = True
        if name == "ServiceGraphPattern":
            calls += 1
            service = str(node.get("term"))
            if service not in allowed_services:
                raise QueryRefused(f"SERVICE <{service}> is not on this endpoint's allow-list", 403)
    # rdflib and Oxigraph split text differently (a comment ended by a carriage return, glued keywords):
    # every spelling Oxigraph may read as SERVICE must be one rdflib found and checked.
    spellings = text.lower().count("service")
    if spellings > calls:  # only then is it worth reading lexeme by lexeme
        reading = read(text)
        spellings = reading.services if reading.exact else spellings
    if spellings > calls:
        raise QueryRefused(
            "this query spells 'service' outside a string, IRI or comment where it may be a SERVICE call this "
            "endpoint cannot check; rename the prefix, or put spaces around keywords",
            403,
        )
    return has_dataset


def query_dataset(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IRIs of a query's FROM and FROM NAMED clauses (prefixed names resolved), read from the parse tree
    (rdflib's algebra fails on ``DESCRIBE * FROM``)."""
    from rdflib.plugins.sparql import algebra, parser

    prologue, query = parser.parseQuery(text)
    resolved = algebra.translatePrologue(prologue, None)
    clauses = query.get("datasetClause") or []
    default = tuple(str(resolved.absolutize(clause["default"])) for clause in clauses if "default" in clause)
    named = tuple(str(resolved.absolutize(clause["named"])) for clause in clauses if "named" in clause)
    return default, named


def syntax_error(text: str) -> str | None:
    """The parser's message (with line and column) if ``text`` is not a SPARQL query, else None."""
    try:
        _parse(text)
    except SyntaxError as error:
        return str(error)
    except QueryRefused:
        return None
    return None


def _parse(text: str) -> Any:
    """Parse with rdflib: the parsed query, or SyntaxError, or QueryRefused for an update."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        parsed = parser.parseQuery(text)
    except ParseException as error:
        try:
            parser.parseUpdate(text)
        except ParseException:
            raise SyntaxError(f"line {error.lineno}, column {error.col}: {error.msg}") from error
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only", 403) from error
    return parsed
