"""Refuse what a public read-only endpoint must never run: updates, SERVICE, LOAD, and structures so large
that they overflow Oxigraph's stack (the query process dies)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cytokg.sparql.lexemes import SMALL, nesting_depth, nesting_over, plainly_safe, read, size

__all__ = [
    "LIMITS",
    "QueryRefused",
    "Undecided",
    "check_size",
    "inspect_query",
    "nesting_depth",
    "nesting_over",
    "plainly_safe",
    "query_dataset",
    "syntax_error",
]

#: How much of each structure a query may hold alone: each limit is 30% of what overflows the 8 MB stack of
#: a query process running pyoxigraph 0.5.13 (measured: 9,300 ``!`` or ``||``; 6,900 chained ``+`` or ``-``;
#: 2,600 BINDs, MINUS blocks, projections or ORDER BY conditions; 8,200 triple patterns or path steps). The
#: shares add up: a query may use each kind's share, up to 100% in all (docs/deploy.md). Every query of
#: queries/ and benchmarks/queries/ uses under 3%.
LIMITS = {"logical": 2_800, "arithmetic": 2_000, "groups": 750, "patterns": 2_400}
_NAMES = {
    "logical": "logical operators (! && ||)",
    "arithmetic": "arithmetic or path operators (+ - * / ^)",
    "groups": "bracketed groups (BIND, FILTER, OPTIONAL, MINUS, UNION, subqueries, function calls …)",
    "patterns": "triple patterns (collection items count twice)",
}


class QueryRefused(Exception):
    """A query that parses but is not allowed here (HTTP 400/403)."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


class Undecided(Exception):
    """Text only rdflib's full parse can decide, where that parse must not run (a query thread)."""


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _walk(value)


def check_size(text: str) -> None:
    """Refuse a text whose structure would overflow the store's stack (HTTP 400, naming counts and limits).
    Texts up to ``SMALL`` characters cannot hold that much and are not read.

    :raises QueryRefused: the shares of :data:`LIMITS` add up to more than 100%, or a long text cannot be
        counted exactly.
    """
    if len(text) <= SMALL:
        return
    measured = size(text)
    if not measured.exact:
        raise QueryRefused(
            f"this query is longer than {SMALL:,} characters and has a '<' that may be an IRI or the less-than "
            "operator, so its size cannot be checked; put a space after '<' where it is the operator",
            400,
        )
    counts = {name: getattr(measured, name) for name in LIMITS if getattr(measured, name)}
    shares = {name: count / LIMITS[name] for name, count in counts.items()}
    if sum(shares.values()) <= 1:
        return
    largest = max(shares, key=shares.__getitem__)
    if shares[largest] > 1:
        raise QueryRefused(
            f"the query has {counts[largest]:,} {_NAMES[largest]}; the limit is {LIMITS[largest]:,}", 400
        )
    held = ", ".join(f"{count:,} {_NAMES[name]}" for name, count in counts.items())
    alone = ", ".join(f"{LIMITS[name]:,} {name}" for name in counts)
    raise QueryRefused(
        f"the query has {held}: together {sum(shares.values()):.1%} of the limit (each alone may reach {alone})", 400
    )


def inspect_query(
    text: str, allowed_services: frozenset[str] = frozenset(), *, thorough: bool = False, parse: bool = True
) -> bool:
    """Parse ``text`` as a SPARQL 1.1 query and refuse updates and unlisted SERVICE calls; plainly safe text
    is parsed only if ``thorough`` (to explain why a store refused it).

    :param parse: False on a query thread, where rdflib's parse would hold the GIL for long.
    :returns: whether the query names its own dataset (FROM / FROM NAMED).

    :raises SyntaxError: the text is not a SPARQL query (message includes the position).
    :raises QueryRefused: an update, a SERVICE whose IRI is not in ``allowed_services``, or too much structure
        (:func:`check_size`).
    :raises Undecided: without ``parse``, text that is not plainly safe.
    """
    check_size(text)
    if not thorough and plainly_safe(text):
        return False  # the store still parses it; syntax_error() explains a rejection the rdflib way
    if not parse:
        raise Undecided(text[:80])
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
