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

__all__ = [
    "SMALL",
    "Reading",
    "Size",
    "empty_prefix_declared",
    "lexemes",
    "nesting_depth",
    "nesting_over",
    "plainly_safe",
    "read",
    "size",
]

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
_IRI = r'<(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>'
_VARIABLE = f"[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_LEXEME = re.compile(
    "|".join(
        [
            r"(?P<space>[ \t\r\n]++)",
            r"(?P<comment>#[^\r\n]*)",
            f"(?P<iri>{_IRI})",
            f"(?P<string>{_STRING})",
            f"(?P<variable>{_VARIABLE})",
            f"(?P<name>(?:{_PREFIX})?:(?:{_LOCAL})?)",
            f"(?P<word>[{_CHARS}.]++)",  # dots too, so a run of names and dots is read once, not once per dot
            r"(?P<mark>.)",
        ]
    ),
    re.DOTALL,
)
#: Lexemes after which ``<`` may be the less-than operator (an operand ends there).
_OPERAND_ENDS = frozenset({"iri", "string", "variable", "name", "word"})
#: Characters that make ``<…>`` read differently as an operator: a comment, a string, a parenthesis.
_SHIFTING = re.compile(r"[#'()]")
_GAP = r"(?:[ \t\r\n]++|#[^\r\n]*+)*+"
_SPACE = r"[ \t\r\n]*+"
#: The end of an operand (a name character, an escaped one, a colon, a bracket, a quote), then perhaps a
#: less-than, then what an IRI may hold, up to a shifting character.
_MAYBE_AMBIGUOUS = re.compile(
    f"(?:\\\\[_~.\\-!$&'()*+,;=/?#@%]|[{_CHARS}:)\\]>\"']){_GAP}"
    "<(?:[^\\x00-\\x20<>\"{}|^`\\\\]|\\\\u[0-9A-Fa-f]{4}|\\\\U[0-9A-Fa-f]{8})*?[#'()]"
)
#: Comments, BASE and PREFIX declarations, then a query form (case-insensitive, no word boundary).
_PROLOGUE = re.compile(
    f"(?:[ \\t\\r\\n]++|#[^\\r\\n]*+|base{_SPACE}{_IRI}|prefix{_SPACE}(?:{_PREFIX})?:{_SPACE}{_IRI})*+"
    "(?:select|ask|construct|describe)",
    re.IGNORECASE,
)
#: A variable, loosely: any character after `?` that Oxigraph could not read as another token (a charset this
#: small is ten times faster than the grammar's; the extra characters are errors to Oxigraph anywhere else).
_LOOSE_VARIABLE = r"[?$][^\x00-\x20#<'\"?$:(){}\[\],;.=!<>|&+*/^@~-]*+"
#: What hides text from the grammar's keywords: comments, IRIs, strings, local names, variables. (No runs of
#: other text in these patterns: the regex engine then jumps from one possible first character to the next.)
_HIDING = re.compile(f"#[^\\r\\n]*+|{_IRI}|{_STRING}|:(?:{_LOCAL})|{_LOOSE_VARIABLE}")
#: Brackets, and what hides them: comments, IRIs, strings; local names too where a backslash may escape one.
_BRACKETS = re.compile(f"#[^\\r\\n]*+|{_IRI}|{_STRING}|[][(){{}}]")
_BRACKETS_OR_ESCAPES = re.compile(f"#[^\\r\\n]*+|{_IRI}|{_STRING}|:(?:{_LOCAL})|[][(){{}}]")
#: ``PREFIX`` then the empty prefix's colon, wherever it is (case-insensitive; comments may come between).
_EMPTY_PREFIX = re.compile(f"prefix{_GAP}:", re.IGNORECASE)
#: An IRI, or the text after a less-than, holding a character that shifts what follows (cheap to look for).
_SHIFTING_IRI = re.compile("<(?:[^\\x00-\\x20<>\"{}|^`\\\\]|\\\\u[0-9A-Fa-f]{4}|\\\\U[0-9A-Fa-f]{8})*?[#'()]")


def _ambiguous_after(text: str, start: int) -> bool:
    """Whether a ``<`` after ``start`` may be an operator or an IRI, and the two read what follows differently."""
    return _SHIFTING_IRI.search(text, start) is not None and _MAYBE_AMBIGUOUS.search(text, start) is not None


def lexemes(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` for every lexeme: space, comment, iri, string, variable, name (prefixed), word
    (keywords, numbers, glued together as Oxigraph allows), mark (any other single character)."""
    for match in _LEXEME.finditer(text):
        yield str(match.lastgroup), match.group()


def _maybe_operator(kind: str, previous: tuple[str, str], parentheses: int) -> bool:
    """Whether a lexeme read as an IRI might be the less-than operator then more text (in parentheses, after
    an operand)."""
    after_operand = previous[0] in _OPERAND_ENDS or previous[1] in ")]>"
    return kind == "iri" and parentheses > 0 and after_operand


def _ambiguous(kind: str, lexeme: str, previous: tuple[str, str], parentheses: int) -> bool:
    """Whether an IRI lexeme might be the less-than operator followed by text that reads differently.

    Not when ``//`` comes before the first character that shifts the reading: as an operator, ``//`` is a
    syntax error (no operand starts with ``/``), so ``<http://…#x>`` is an IRI in every reading that parses."""
    shifting = _SHIFTING.search(lexeme)
    return (
        _maybe_operator(kind, previous, parentheses) and shifting is not None and "//" not in lexeme[: shifting.start()]
    )


@dataclass(frozen=True)
class Reading:
    """What one pass over a query's lexemes found."""

    #: A prologue then a query form: Oxigraph reads a query, not an update.
    query_form: bool
    #: No ambiguous ``<``: the counts below are exact.
    exact: bool
    #: Words, and prefixes if the empty prefix is declared, that hold ``service`` / ``from`` (each may be that
    #: keyword, glued to others).
    services: int
    froms: int

    @property
    def plainly_safe(self) -> bool:
        """No SERVICE, no FROM, no update, and nothing undecided."""
        return self.query_form and self.exact and not self.services and not self.froms


def read(text: str) -> Reading:
    """Every lexeme of ``text``, in one pass: its :class:`Reading` (slower than :func:`plainly_safe`, and it
    looks at parentheses, so it can tell most spellings :func:`plainly_safe` finds ambiguous).

    >>> read("SELECT ?c WHERE { ?c owl:someValuesFrom ?x }").plainly_safe, read("ASKFROM<g>{}").froms
    (True, 1)
    """
    previous = ("space", "")
    parentheses = services = froms = 0
    exact = True
    empty_prefix = empty_prefix_declared(text)
    for kind, lexeme in lexemes(text):
        if kind in ("space", "comment"):
            continue
        word = ""
        if kind == "mark":
            parentheses += (lexeme == "(") - (lexeme == ")")
        elif kind == "word":
            word = lexeme.lower()
        elif kind == "name" and empty_prefix:
            word = lexeme.lower().split(":", 1)[0]  # `SERVICE:x` is SERVICE and the IRI `:x`; a local name is whole
        elif _ambiguous(kind, lexeme, previous, parentheses):
            exact = False
        services += "service" in word
        froms += "from" in word
        previous = (kind, lexeme)
    query_form = _PROLOGUE.match(text) is not None and "\\" not in _HIDING.sub(" ", text)
    return Reading(query_form, exact, services, froms)


#: Texts no longer than this cannot overflow Oxigraph's stack: the cheapest shape measured needs about 7,800
#: characters (``ORDER BY`` then 2,600 ``(1)``), and only ASCII punctuation and keywords build the structure.
SMALL = 2048
#: Operators that chain into an expression or a property path.
_ARITHMETIC = frozenset("+-*/^")
#: Lexemes that are one term each (a word may hold several: ``_ITEMS``).
_TERMS = frozenset({"iri", "string", "variable", "name"})
#: What starts each term glued into a word (``(truefalse1.5.5)`` is a collection of four): a run of digits,
#: a boolean, a blank node's ``_``.
_ITEMS = re.compile("[0-9]+|true|false|_")
#: An expression's parenthesis, and a collection's, on the stack of open brackets.
_EXPRESSION, _COLLECTION = "(", "c"


@dataclass(frozen=True)
class Size:
    """How much recursive structure a query builds: Oxigraph 0.5.13 recurses once per operator, group and
    triple pattern, so together they bound the stack it needs (docs/deploy.md has the measured limits).

    Strings, IRIs, comments, names and VALUES data hold none of it."""

    #: ``!``, ``&&`` and ``||`` (``|`` alone, a path's alternative, counts half).
    logical: int
    #: ``+ - * / ^``, in expressions and property paths (``1-1`` counts: it is 1, then -1).
    arithmetic: int
    #: Opening parentheses and braces: BIND, FILTER, OPTIONAL, MINUS, UNION, subqueries, projections,
    #: ORDER BY conditions, function calls, collections; VALUES blocks, and names or IRIs that may be
    #: ``text:matches`` (the query process replaces each pattern by a VALUES block: cytokg.search).
    groups: int
    #: Triple patterns: ``.``, ``;`` and ``,`` outside parentheses, twice each ``[`` and each collection item.
    patterns: int
    #: No ``<`` that may be the less-than operator holding text that reads differently: the counts are exact.
    exact: bool


def _opens(previous: tuple[str, str], before: tuple[str, str], opened: list[str]) -> str:
    """What a ``(`` opens: an expression (projections, calls, FILTER, BIND) or a collection (a triple's term)."""
    if not opened or opened[-1] in (_EXPRESSION, _COLLECTION):
        return opened[-1] if opened else _EXPRESSION
    if previous[0] == "word" and previous[1][-1].isalpha() and previous[1].lower() != "a":
        return _EXPRESSION  # `FILTER(`, `STR(`, `IN (`; not `?s a (`, nor `?o . (`, a word of dots
    if previous[0] in ("name", "iri") and before[0] == "word" and "filter" in before[1].lower():
        return _EXPRESSION  # FILTER xsd:boolean(?x)
    return _COLLECTION


def size(text: str) -> Size:
    """Count the structure of ``text`` lexeme by lexeme (about 0.1 ms per KB: only for texts over ``SMALL``).

    >>> size("SELECT * { ?s ?p (1 2 3) FILTER(!?o || ?s > 1+2) }")
    Size(logical=2, arithmetic=2, groups=3, patterns=6, exact=True)
    """
    logical = halves = arithmetic = groups = patterns = 0
    opened: list[str] = []  # the brackets open here: `{`, `[`, an expression's `(` or a collection's `c`
    previous = before = ("space", "")
    exact = True
    after_values = False  # after the keyword VALUES, before its data
    data = 0  # braces open inside VALUES data (only terms and rows: nothing counts)
    for kind, lexeme in lexemes(text):
        if kind in ("space", "comment"):
            continue
        if data:
            data += (lexeme == "{") - (lexeme == "}")
            continue
        if after_values and (kind == "variable" or lexeme in ("(", ")")):
            continue  # the variables of VALUES ?x or VALUES (?x ?y)
        if after_values and lexeme == "{":
            data, after_values = 1, False
            groups += 1  # a VALUES block is joined as a group is
            continue
        after_values = False
        top = opened[-1] if opened else ""
        if kind == "mark":
            if lexeme == "(":
                opened.append(_opens(previous, before, opened))
                groups += 1
                patterns += 2 * (top == _COLLECTION)  # a collection in a collection is an item
            elif lexeme in "{[":
                opened.append(lexeme)
                groups += lexeme == "{"
                patterns += 2 * (lexeme == "[")
            elif lexeme in ")]}":
                del opened[-1:]
            elif lexeme in ";,":
                patterns += top not in (_EXPRESSION, _COLLECTION)
            elif lexeme == "!":
                logical += 1
            elif lexeme in "&|":
                halves += 1
            elif lexeme in _ARITHMETIC:
                arithmetic += 1
        elif kind == "word":  # keywords, numbers, and the dots between triples
            patterns += lexeme.count(".") * (top not in (_EXPRESSION, _COLLECTION))
            arithmetic += lexeme.count("-")
            after_values = lexeme.lower() == "values" and previous[1] != "@"  # not a language tag
            patterns += 2 * len(_ITEMS.findall(lexeme.lower())) * (top == _COLLECTION)
        elif _maybe_operator(kind, previous, top == _EXPRESSION):
            if _ambiguous(kind, lexeme, previous, top == _EXPRESSION):
                exact = False
            elif "//" not in lexeme:  # as an operator, its text would be code
                logical += lexeme.count("!")
                halves += lexeme.count("&")
                arithmetic += sum(character in _ARITHMETIC for character in lexeme[1:-1])
        if kind in _TERMS and top == _COLLECTION:
            patterns += 2  # rdf:first and rdf:rest
        groups += kind in ("name", "iri") and "matches" in lexeme  # text:matches becomes a VALUES block
        before, previous = previous, (kind, lexeme)
    return Size(logical + (halves + 1) // 2, arithmetic, groups, patterns, exact)


def empty_prefix_declared(text: str) -> bool:
    """Whether ``text`` may declare the empty prefix (``PREFIX :``), perhaps in a comment (never less).

    Without it, ``service:x`` can only be a prefixed name: read as ``SERVICE :x``, the IRI ``:x`` has no prefix
    to expand and Oxigraph refuses the text. (The store is never given default prefixes.)

    >>> empty_prefix_declared("PREFIX : <urn:> ASK {}"), empty_prefix_declared("PREFIX service: <urn:> ASK {}")
    (True, False)
    """
    return _EMPTY_PREFIX.search(text) is not None


def plainly_safe(text: str) -> bool:
    """Whether Oxigraph would read ``text`` as a query (not an update) with no SERVICE and no FROM.

    Exact where it says True: a prologue then a query form, and neither ``service`` nor ``from`` nor a backslash
    outside comments, IRIs, strings, local names and variables. A ``<`` that may be an operator hiding a comment
    or string is looked at lexeme by lexeme (:func:`read`). Anything else is False: parse it in full.

    >>> plainly_safe("SELECT ?c WHERE { ?c owl:someValuesFrom ?x }"), plainly_safe("ASKFROM<g>{}")
    (True, False)
    """
    prologue = _PROLOGUE.match(text)
    if prologue is None:
        return False
    lower = text.lower()
    if "service" not in lower and "from" not in lower and "\\" not in text:
        return True  # no reading of the text can spell either keyword
    if _ambiguous_after(text, prologue.end()):  # no operator in a prologue
        return read(text).plainly_safe
    code = _HIDING.sub(" ", text).lower()
    return "service" not in code and "from" not in code and "\\" not in code


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets, braces and parentheses that Oxigraph's parser could recurse into.

    A linear scan, cheap enough to run on every request before any parser sees the text. Brackets in
    strings, IRIs, comments (as Oxigraph ends them) and local names (``e:a\\(``) do not count; after an
    ambiguous ``<`` every opening bracket counts and none closes, so the figure is never less than the parser's.

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER((?o > 1)) }"), nesting_depth('ASK { ?s ?p "((((" }')
    (3, 1)
    """
    prologue = _PROLOGUE.match(text)
    if _ambiguous_after(text, prologue.end() if prologue else 0):
        return _nesting_lexeme_by_lexeme(text)
    depth = deepest = 0
    for lexeme in (_BRACKETS_OR_ESCAPES if "\\" in text else _BRACKETS).findall(text):
        if lexeme in ("(", "[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif lexeme in (")", "]", "}"):
            depth = max(depth - 1, 0)
    return deepest


def nesting_over(text: str, limit: int) -> int | None:
    """:func:`nesting_depth` if it is over ``limit``, else None. Text with at most ``limit`` opening brackets,
    wherever they are, cannot nest deeper, and is not read (most queries).

    >>> nesting_over("ASK { ?s ?p ?o }", 0), nesting_over("ASK { ?s ?p ?o }", 1)
    (1, None)
    """
    if text.count("(") + text.count("[") + text.count("{") <= limit:
        return None
    depth = nesting_depth(text)
    return depth if depth > limit else None


def _nesting_lexeme_by_lexeme(text: str) -> int:
    """:func:`nesting_depth` where a ``<`` may be ambiguous: exact up to the first ambiguous one."""
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
