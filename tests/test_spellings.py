"""Hostile spellings (tests/resources/hostile/spellings.rq) against what pyoxigraph really does with each.

The lexer may call a text plainly safe only if Oxigraph reads it as a query with no SERVICE and no FROM; the
vetting as a whole must refuse every text with which Oxigraph would open a connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph
import pytest

from cytokg.backends.base import Job
from cytokg.backends.embedded import Vetted, vet
from cytokg.sparql.lexemes import nesting_depth, plainly_safe

from .conftest import ROOT

CORPUS = ROOT / "tests" / "resources" / "hostile" / "spellings.rq"
PLACEHOLDERS = {"⟨CR⟩": "\r", "⟨FF⟩": "\f", "⟨NBSP⟩": "\u00a0"}
TRIPLE = pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.NamedNode("urn:o"))


@dataclass(frozen=True)
class Spelling:
    line: int
    oxigraph: str
    vetting: str
    what: str
    text: str


def spellings() -> list[Spelling]:
    """Every entry of the corpus, with the line of its header."""
    entries: list[Spelling] = []
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    starts = [number for number, line in enumerate(lines) if line.startswith("#> ")]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        verdicts, what = lines[start][3:].split(":", 1)
        oxigraph, vetting = verdicts.split()
        text = "\n".join(lines[start + 1 : end]).strip("\n")
        for placeholder, character in PLACEHOLDERS.items():
            text = text.replace(placeholder, character)
        entries.append(Spelling(start + 1, oxigraph, vetting, what.strip(), text))
    return entries


class Listener:
    """A loopback socket that counts the connections made to it and closes each at once."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1  # counted before the close that ends Oxigraph's request
            connection.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.socket.close()


def oxigraph_verdict(text: str, listener: Listener) -> str:
    """What pyoxigraph does with ``text``: safe, service, dataset, update or malformed (see the corpus)."""
    store = pyoxigraph.Store()
    store.add(TRIPLE)
    before = listener.connections
    try:
        answer = store.query(text, base_iri=listener.url)
        found = bool(answer) if isinstance(answer, pyoxigraph.QueryBoolean) else bool(list(answer))
    except SyntaxError:
        try:
            pyoxigraph.Store().update(text, base_iri="urn:update:")
        except SyntaxError:
            return "malformed"
        except OSError:
            pass  # parsed, then failed to load
        return "update"
    except OSError:
        found = False
    if listener.connections > before:
        return "service"
    return "safe" if found else "dataset"


def vetting(text: str) -> str:
    """What CytoKG's vetting does with ``text``: skips, parsed or refused."""
    if plainly_safe(text):
        return "skips"
    return "parsed" if isinstance(vet(Job(text), frozenset()), Vetted) else "refused"


def test_the_corpus_is_large_and_covers_every_verdict() -> None:
    entries = spellings()
    assert len(entries) >= 50
    assert {entry.oxigraph for entry in entries} == {"safe", "service", "dataset", "update", "malformed"}
    assert {entry.vetting for entry in entries} == {"skips", "parsed", "refused"}


@pytest.mark.parametrize("entry", spellings(), ids=lambda entry: f"line {entry.line}")
def test_each_spelling(entry: Spelling, listener: Listener) -> None:
    observed = oxigraph_verdict(entry.text, listener)
    assert observed == entry.oxigraph, f"{CORPUS.name} line {entry.line} ({entry.what}): Oxigraph: {observed}"
    if plainly_safe(entry.text):
        assert observed in {"safe", "malformed"}, f"line {entry.line}: the lexer let through {observed}"
    decided = vetting(entry.text)
    if observed == "service":
        assert decided == "refused", f"line {entry.line}: a SERVICE call got through"
    assert decided == entry.vetting, f"{CORPUS.name} line {entry.line} ({entry.what}): vetting {decided}"


@pytest.mark.parametrize(
    ("query", "deepest"),
    [
        ("ASK { ?s ?p ?o FILTER((true)) }", 3),
        ('ASK { ?s ?p "((((" }', 1),
        ("ASK { #\r" + "(" * 40 + "true" + ")" * 40 + "\n}", 41),  # a carriage return ends the comment
        ("ASK { ?s <urn:p> ?o } # ((((((", 1),
        ("PREFIX e: <urn:> ASK { e:a\\' ?p ?o FILTER(((1))) } # '", 4),  # an escaped quote in a local name
        ("PREFIX e: <urn:> ASK { e:a\\# ?p ?o FILTER(((1))) }", 4),  # an escaped hash in a local name
        ("ASK { FILTER(?a<'> ?b) ' && ((((1)))) ')}", 6),  # `<` may be an operator: every bracket counts
    ],
)
def test_nesting_depth_counts_what_oxigraph_nests(query: str, deepest: int) -> None:
    assert nesting_depth(query) == deepest
