"""The one reader for curated text input (TSV, Turtle, SPARQL): strict UTF-8, every problem an InputError."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from cytokg.errors import InputError

__all__ = ["parse_turtle_text", "read_query", "read_text"]

_BOM = "\ufeff"
#: Control characters a curated file may not hold (tab and line feed are allowed; CR is reported separately).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_text(path: Path) -> str:
    """Read ``path`` as strict UTF-8 text with LF line endings, no byte-order mark and no control characters."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "file not found", "restore it (git checkout -- FILE) or check the path") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder, not a file", "remove the folder or rename it") from None
    except PermissionError:
        raise InputError(path, None, "cannot be read (permission denied)", "make it readable: chmod a+r FILE") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            path,
            line,
            f"byte 0x{data[error.start]:02x} at column {column} is not UTF-8",
            "save the file as UTF-8, e.g. iconv -f latin1 -t utf-8",
        ) from None
    if text.startswith(_BOM):
        raise InputError(path, 1, "file starts with a byte-order mark (BOM)", "save it as UTF-8 without BOM")
    if "\r" in text:
        line, column = _line_column(text, text.index("\r"))
        raise InputError(
            path, line, f"carriage return (Windows line ending) at column {column}", "save with Unix (LF) line endings"
        )
    found = _CONTROL.search(text)
    if found:
        line, column = _line_column(text, found.start())
        code = ord(found.group())
        name = unicodedata.name(found.group(), "NUL" if code == 0 else "control character")
        raise InputError(path, line, f"control character U+{code:04X} ({name}) at column {column}", "delete it")
    return text


class _Collect(logging.Handler):
    """Collects rdflib's warnings (e.g. an IRI that is not valid) so they become one input error."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _rdflib_warnings() -> Iterator[_Collect]:
    logger = logging.getLogger("rdflib")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _bad_iri(path: Path, text: str, message: str) -> InputError:
    iri = message.split(" does not look like a valid URI")[0]
    base = path.resolve().parent.as_uri() + "/"
    written = iri.removeprefix(base)
    offset = max(text.find(f"<{written}>"), text.find(written))
    line = _line_column(text, offset)[0] if offset >= 0 else None
    return InputError(
        path, line, f"IRI <{written}> is not valid", "write IRIs without spaces, quotes, braces or backslashes"
    )


def parse_turtle_text(path: Path, graph: Graph) -> Graph:
    """Parse the Turtle file ``path`` into ``graph``; a syntax error keeps its reason and line."""
    text = read_text(path)
    try:
        with _rdflib_warnings() as warnings:
            graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as error:
        reason = str(getattr(error, "_why", "")) or "bad syntax"
        raise InputError(path, error.lines + 1, f"Turtle syntax error: {reason}", "correct the Turtle") from None
    except (IndexError, ValueError) as error:  # rdflib's parser fails so on some truncated input
        raise InputError(
            path,
            text.count("\n") + 1,
            f"Turtle syntax error: the file ends inside a statement ({type(error).__name__}: {error})",
            "end every statement with '.' and close every bracket and string",
        ) from None
    if warnings.messages:
        message = warnings.messages[0]
        if "does not look like a valid URI" in message:
            raise _bad_iri(path, text, message)
        raise InputError(path, None, f"Turtle problem: {message}", "correct the Turtle")
    return graph


_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)
_HIDDEN = re.compile(r'<[^<>"\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_USED = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*)?:(?=[\w%]|\s)")


def _undeclared_prefixes(query: str) -> list[str]:
    declared = set(_DECLARED.findall(query))
    body = _HIDDEN.sub(" ", _DECLARED.sub(" ", query))
    return sorted({prefix for prefix in _USED.findall(body) if prefix not in declared and prefix != "_"})


def read_query(path: Path) -> str:
    """Read a SPARQL query file and check that it parses (Oxigraph's parser, the one that will run it)."""
    import pyoxigraph

    text = read_text(path)
    if not "".join(_HIDDEN.sub("", line) for line in text.splitlines()).strip():
        raise InputError(path, 1, "the query is empty", "write one SPARQL SELECT query, or delete the file")
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as error:
        found = re.match(r"error at (\d+):(\d+): (.*)", str(error))
        line = int(found.group(1)) if found else None
        reason = f"{found.group(3)} at column {found.group(2)}" if found else str(error)
        missing = _undeclared_prefixes(text)
        if missing:
            reason = f"prefix {', '.join(p + ':' for p in missing)} is not declared"
        raise InputError(path, line, f"SPARQL syntax error: {reason}", "correct the query") from None
    return text
