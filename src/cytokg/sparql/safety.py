"""Refuse what a public read-only endpoint must never run: updates, SERVICE, LOAD."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["QueryRefused", "inspect_query", "nesting_depth", "plainly_safe", "query_dataset", "syntax_error"]

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Comments, BASE and PREFIX declarations, then a query form: this text cannot be an update. No string can
#: be open in a prologue, so its comments are comments.
_PROLOGUE_AND_FORM = re.compile(
    r"(?:\s+|#[^\n]*(?:\n|$)|base\s*<[^>\s]*>|prefix\s*[^\s:#]*:\s*<[^>\s]*>)*(?:select|ask|construct|describe)\b"
)


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


_TOKENS = re.compile(
    r"'''.*?'''"  # long strings
    r'|""".*?"""'
    r"|'(?:[^'\\\n]|\\.)*'"  # short strings
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|<[^<>\"{}|^`\\\s()[\]]*>"  # IRIs (brackets inside count: the conservative reading)
    r"|#[^\n]*"  # comments
    r"|[][(){}]",
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets, braces and parentheses outside strings, IRIs and comments.

    A linear scan, cheap enough to run on every request before any parser sees the text.

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER((?o > 1)) }"), nesting_depth('ASK { ?s ?p "((((" }')
    (3, 1)
    """
    depth = deepest = 0
    for lexeme in _TOKENS.findall(text):
        if lexeme in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif lexeme in ")]}":
            depth = max(depth - 1, 0)
    return deepest


def plainly_safe(text: str) -> bool:
    """Whether ``text`` can be neither an update, nor call SERVICE, nor name a dataset, without parsing it.

    Sound and cheap: after SPARQL's codepoint escapes are decoded, the text is a prologue (comments, BASE,
    PREFIX) and a query form, and the words ``service`` and ``from`` occur nowhere after the prologue, not even
    in strings or comments. Anything else is parsed in full.
    """
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text).lower()
    prologue = _PROLOGUE_AND_FORM.match(decoded)
    return prologue is not None and not any(word in decoded[prologue.end() :] for word in ("service", "from"))


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
    for node in _walk(parsed):
        name = getattr(node, "name", None)
        if name == "DatasetClause":
            has_dataset = True
        if name == "ServiceGraphPattern":
            service = str(node.get("term"))
            if service not in allowed_services:
                raise QueryRefused(f"SERVICE <{service}> is not on this endpoint's allow-list", 403)
    return has_dataset


def query_dataset(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The IRIs of a query's FROM and FROM NAMED clauses (prefixed names resolved)."""
    from rdflib.plugins.sparql import algebra, parser

    clauses = algebra.translateQuery(parser.parseQuery(text)).algebra.get("datasetClause") or []
    default = tuple(str(clause["default"]) for clause in clauses if "default" in clause)
    named = tuple(str(clause["named"]) for clause in clauses if "named" in clause)
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
