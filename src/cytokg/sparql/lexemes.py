"""SPARQL text cut into lexemes the way Oxigraph's grammar reads it, for decisions that must not parse it.

Oxigraph reads keywords case-insensitively with no word boundary (``ASKFROM<g>`` is ``ASK FROM <g>``,
``1SERVICE`` is ``1 SERVICE``), ends a comment at a line feed *or* a carriage return, takes only space, tab,
line feed and carriage return as white space, and decodes ``\\u`` escapes inside IRIs and strings only. A
variable or a local name is read as far as it goes (``owl:someValuesFrom`` is one name). The one place a
lexeme depends on the grammar is ``<``: inside parentheses, after an operand, it may be the less-than
operator rather than an IRI; such a spelling is *ambiguous* when the would-be IRI holds a character that
changes what follows (``#``, ``'``, a parenthesis).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Reading", "lexemes", "nesting_depth", "plainly_safe", "read"]

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_ESCAPE = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_STRING = (  # long strings first; a short one ends before a line break
    f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ESCAPE}))*'''"
    f'|"""(?:(?:"|"")?(?:[^"\\\\]|{_ESCAPE}))*"""'
    f"|'(?:[^'\\\\\\n\\r]|{_ESCAPE})*'"
    f'|"(?:[^"\\\\\\n\\r]|{_ESCAPE})*"'
)
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_LEXEME = re.compile(
    "|".join(
        [
            r"(?P<space>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<iri><(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
            f"(?P<string>{_STRING})",
            f"(?P<variable>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            f"(?P<name>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            f"(?P<word>[{_CHARS}]+)",
            r"(?P<mark>.)",
        ]
    ),
    re.DOTALL,
)
#: Lexemes after which ``<`` may be the less-than operator (an operand ends there).
_OPERAND_ENDS = frozenset({"iri", "string", "variable", "name", "word"})
#: Characters that make ``<…>`` read differently as an operator: a comment, a string, a parenthesis.
_SHIFTING = re.compile(r"[#'()]")
_FORMS = ("select", "ask", "construct", "describe")


def lexemes(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` for every lexeme: space, comment, iri, string, variable, name (prefixed), word
    (keywords, numbers, glued together as Oxigraph allows), mark (any other single character)."""
    for match in _LEXEME.finditer(text):
        yield str(match.lastgroup), match.group()


def _ambiguous(kind: str, lexeme: str, previous: tuple[str, str], parentheses: int) -> bool:
    """Whether an IRI lexeme might be the less-than operator followed by text that reads differently."""
    after_operand = previous[0] in _OPERAND_ENDS or previous[1] in ")]>"
    return kind == "iri" and parentheses > 0 and after_operand and _SHIFTING.search(lexeme) is not None


@dataclass(frozen=True)
class Reading:
    """What one pass over a query's lexemes found."""

    #: A prologue then a query form, every character known: Oxigraph reads a query, not an update.
    query_form: bool
    #: No ambiguous ``<``: the counts below are exact.
    exact: bool
    #: Words, prefixes and glued variables that hold ``service`` / ``from`` (each may be that keyword).
    services: int
    froms: int

    @property
    def plainly_safe(self) -> bool:
        """No SERVICE, no FROM, no update, and nothing undecided."""
        return self.query_form and self.exact and not self.services and not self.froms


def read(text: str) -> Reading:
    """One pass over ``text``: its :class:`Reading`.

    >>> read("SELECT ?c WHERE { ?c owl:someValuesFrom ?x }").plainly_safe, read("ASKFROM<g>{}").froms
    (True, 1)
    """
    previous = ("space", "")
    parentheses = services = froms = 0
    glued = False  # no space or comment since the previous lexeme
    known = exact = True
    prologue: str | None = ""  # "" expects BASE/PREFIX/form; then "base", "prefix", "name"; None after the form
    for kind, lexeme in lexemes(text):
        if kind in ("space", "comment"):
            glued = False
            continue
        lower = lexeme.lower()
        if prologue is not None:
            prologue = _prologue_step(prologue, kind, lower)
        word = ""
        if kind == "mark":
            known = known and lexeme in "{}()[];,.*+-/!=<>&|^@~?"
            parentheses += (lexeme == "(") - (lexeme == ")")
        elif kind == "word" or (kind == "variable" and glued):  # a glued `?` may be a path's, then a keyword
            word = lower
        elif kind == "name":
            word = lower.split(":", 1)[0]  # `SERVICE:x` is SERVICE and the IRI `:x`; a local name is whole
        elif _ambiguous(kind, lexeme, previous, parentheses):
            exact = False
        services += "service" in word
        froms += "from" in word
        previous, glued = (kind, lexeme), True
    return Reading(prologue is None and known, exact, services, froms)


def plainly_safe(text: str) -> bool:
    """Whether Oxigraph would read ``text`` as a query (not an update) with no SERVICE and no FROM.

    Exact where it says True. Anything it cannot tell (a word that may be SERVICE or FROM, an ambiguous
    ``<``, a character it does not know) is False: parse it in full.
    """
    return read(text).plainly_safe


def _prologue_step(state: str, kind: str, lower: str) -> str | None:
    """The next state of the prologue reader after one lexeme: None once the query form is read."""
    if state == "" and kind == "word":
        if lower in ("base", "prefix"):
            return lower
        return None if lower.startswith(_FORMS) else "bad"
    if state == "base" and kind == "iri":
        return ""
    if state == "prefix" and kind == "name" and lower.endswith(":"):
        return "name"
    if state == "name" and kind == "iri":
        return ""
    return "bad"


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets, braces and parentheses that Oxigraph's parser could recurse into.

    A linear scan, cheap enough to run on every request before any parser sees the text. Brackets in
    strings, IRIs and comments (as Oxigraph ends them) do not count; after an ambiguous ``<`` every opening
    bracket counts and none closes, so the figure is never less than the parser's.

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER((?o > 1)) }"), nesting_depth('ASK { ?s ?p "((((" }')
    (3, 1)
    """
    depth = deepest = parentheses = 0
    previous = ("space", "")
    exact = True
    for kind, lexeme in lexemes(text):
        if kind in ("space", "comment"):
            if exact:
                continue
        elif exact and _ambiguous(kind, lexeme, previous, parentheses):
            exact = False
        if not exact:
            depth += sum(lexeme.count(bracket) for bracket in "([{")
        elif kind == "mark" and lexeme in "([{":
            depth += 1
            parentheses += lexeme == "("
        elif kind == "mark" and lexeme in ")]}":
            depth = max(depth - 1, 0)
            parentheses = max(parentheses - (lexeme == ")"), 0)
        deepest = max(deepest, depth)
        previous = (kind, lexeme)
    return deepest
