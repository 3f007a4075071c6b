"""``text:matches``: the search index in SPARQL, as QLever's ``ql:contains-word`` or Fuseki's ``text:query``.

With ``PREFIX text: <https://w3id.org/cytokg/text#>``, the triple pattern ``?entity text:matches "words"``
binds ``?entity`` to the entities whose names match the words as the site's search does (exact, prefix,
word start or substring of any label, synonym, symbol or identifier, with accents, case, Greek letters and
punctuation folded), best first, at most ``TEXT_LIMIT`` of them.

Oxigraph has no hook for a property function, so the query process replaces the pattern, before the store
sees the query, by ``VALUES ?entity { … }`` holding the index's hits: the words are only a key for the
index (an SQLite parameter), never query text, and only IRIs from the index are written into the query.
The pattern must stand alone: a variable subject, the property (prefixed or as a full IRI) and one plain
string, then ``.`` or ``}``. The property anywhere else is an error, so it never silently matches nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph

from cytokg.search import SearchIndex
from cytokg.sparql.lexemes import lexemes

__all__ = ["MATCHES", "TEXT", "TEXT_LIMIT", "TextSearchError", "expand_text_search"]

TEXT = "https://w3id.org/cytokg/text#"
MATCHES = TEXT + "matches"
#: The most entities one ``text:matches`` pattern binds (Fuseki's text:query has a limit too).
TEXT_LIMIT = 1000
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SKIPPED = ("space", "comment")


class TextSearchError(SyntaxError):
    """``text:matches`` used where it cannot be expanded (the query is refused with 400)."""


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ESCAPES.get(match.group(3), match.group(0))

    return _ESCAPE.sub(one, text)


def _string(lexeme: str) -> str:
    quote = 3 if lexeme[:3] in ('"""', "'''") else 1
    return _unescape(lexeme[quote:-quote])


def _prefixes(parts: list[tuple[str, str]], significant: list[int]) -> dict[str, str]:
    """The prefixes the query declares (``PREFIX p: <iri>``, each a lexeme of its own)."""
    declared = {}
    for place, index in enumerate(significant[:-2]):
        kind, lexeme = parts[index]
        if kind == "word" and lexeme.lower() == "prefix":
            (name_kind, name), (iri_kind, iri) = parts[significant[place + 1]], parts[significant[place + 2]]
            if name_kind == "name" and name.endswith(":") and iri_kind == "iri":
                declared[name[:-1]] = _unescape(iri[1:-1])
    return declared


def _is_matches(kind: str, lexeme: str, prefixes: dict[str, str]) -> bool:
    if kind == "iri":
        return _unescape(lexeme[1:-1]) == MATCHES
    if kind == "name" and ":" in lexeme:
        prefix, local = lexeme.split(":", 1)
        return prefix in prefixes and prefixes[prefix] + _unescape(local) == MATCHES
    return False


@lru_cache(maxsize=2)
def _open(path: Path) -> SearchIndex:
    return SearchIndex(path)


def expand_text_search(text: str, index: Path | None) -> str:
    """``text`` with every ``?v text:matches "words"`` replaced by ``VALUES ?v { <hit> … }`` from the search
    index at ``index`` (opened once per process).

    :raises TextSearchError: the property is used otherwise, or the release has no search index.
    """
    if "matches" not in text:  # every spelling of the property ends so (an escaped one matches nothing)
        return text
    parts = list(lexemes(text))
    significant = [i for i, (kind, _) in enumerate(parts) if kind not in _SKIPPED]
    prefixes = _prefixes(parts, significant)
    for place, position in enumerate(significant):
        kind, lexeme = parts[position]
        if not _is_matches(kind, lexeme, prefixes):
            continue
        if place == 0 or place + 2 >= len(significant):
            raise TextSearchError(_USAGE)
        subject, words, end = (significant[place - 1], significant[place + 1], significant[place + 2])
        if parts[subject][0] != "variable" or parts[words][0] != "string" or parts[end][1] not in (".", "}"):
            raise TextSearchError(_USAGE)
        if index is None or not index.is_file():
            raise TextSearchError("text:matches: this release has no search index")
        hits = _open(index).search(_string(parts[words][1]), limit=TEXT_LIMIT)
        iris = " ".join(str(pyoxigraph.NamedNode(hit.iri)) for hit in hits)
        parts[subject] = ("values", f"VALUES {parts[subject][1]} {{ {iris} }}")
        parts[position] = parts[words] = ("space", " ")
        if parts[end][1] == ".":
            parts[end] = ("space", " ")
    return "".join(lexeme for _, lexeme in parts)


_USAGE = 'text:matches: write it as `?entity text:matches "words" .`: a variable, the property and one plain string'
