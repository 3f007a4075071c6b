"""Hostile spellings (tests/resources/hostile/spellings.rq) against what pyoxigraph really does with each.

The lexer may call a text plainly safe only if Oxigraph reads it as a query with no SERVICE and no FROM; the
vetting as a whole must refuse every text with which Oxigraph would open a connection, and every structure
(tests/resources/hostile/structures.rq) on which pyoxigraph's query process would die.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest

from cytokg.backends.base import Answer, Job
from cytokg.backends.embedded import Vetted, vet
from cytokg.sparql.lexemes import SMALL, Size, nesting_depth, nesting_over, plainly_safe, size
from cytokg.sparql.safety import LIMITS, QueryRefused, check_size

from .conftest import ROOT

CORPUS = ROOT / "tests" / "resources" / "hostile" / "spellings.rq"
STRUCTURES = ROOT / "tests" / "resources" / "hostile" / "structures.rq"
PLACEHOLDERS = {"⟨CR⟩": "\r", "⟨FF⟩": "\f", "⟨NBSP⟩": "\u00a0"}
TRIPLE = pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.NamedNode("urn:o"))


@dataclass(frozen=True)
class Spelling:
    line: int
    oxigraph: str
    vetting: str
    what: str
    text: str


def _repeat(match: re.Match[str]) -> str:
    return "".join(match.group(2).replace("№", str(number)) for number in range(int(match.group(1))))


def spellings(corpus: Path = CORPUS) -> list[Spelling]:
    """Every entry of a corpus, with the line of its header."""
    entries: list[Spelling] = []
    lines = corpus.read_text(encoding="utf-8").split("\n")
    starts = [number for number, line in enumerate(lines) if line.startswith("#> ")]
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        verdicts, what = lines[start][3:].split(":", 1)
        oxigraph, vetting = verdicts.split()
        text = "\n".join(lines[start + 1 : end]).strip("\n")
        for placeholder, character in PLACEHOLDERS.items():
            text = text.replace(placeholder, character)
        text = re.sub("⟨([0-9]+)\u00d7([^⟩]*)⟩", _repeat, text)  # N times TEXT
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
    for limit in range(deepest + 2):  # the endpoint's check: the depth only when over the limit
        assert nesting_over(query, limit) == (deepest if deepest > limit else None)


#: Runs one query on a store of one triple in a fresh interpreter (the main thread's 8 MB stack, as in a query
#: process): prints "ok", or dies of a signal.
RUN = """
import sys, pyoxigraph
store = pyoxigraph.Store()
node = pyoxigraph.NamedNode("urn:x:s")
store.add(pyoxigraph.Quad(node, node, node))
answer = store.query(sys.stdin.read())
bool(answer) if isinstance(answer, pyoxigraph.QueryBoolean) else list(answer)
print("ok")
"""


def test_the_structures_cover_every_limit() -> None:
    entries = spellings(STRUCTURES)
    assert {entry.vetting for entry in entries} == {*LIMITS, "together", "passes"}
    assert {entry.oxigraph for entry in entries} == {"crash", "runs"}
    assert all(len(entry.text.encode()) < 65_536 for entry in entries)
    # The vetting reads no text up to SMALL characters: the cheapest crash needs more than three times that.
    assert min(len(entry.text) for entry in entries if entry.oxigraph == "crash") > 3 * SMALL


@pytest.mark.parametrize("entry", spellings(STRUCTURES), ids=lambda entry: f"line {entry.line}")
def test_each_structure_is_refused_before_the_store(entry: Spelling) -> None:
    vetted = vet(Job(entry.text), frozenset())
    if entry.vetting == "passes":
        assert isinstance(vetted, Vetted), f"{STRUCTURES.name} line {entry.line}: {vetted}"
        return
    assert isinstance(vetted, Answer) and vetted.status == 400, f"{STRUCTURES.name} line {entry.line}: {vetted}"
    if entry.vetting == "together":
        assert "together" in vetted.error
    else:
        assert f"the limit is {LIMITS[entry.vetting]:,}" in vetted.error, vetted.error


def _run(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN], input=text, capture_output=True, text=True, check=False)


def test_pyoxigraph_dies_on_each_crash_and_runs_the_rest() -> None:
    """What the limits guard against is real: each crash entry kills a fresh pyoxigraph process, and each
    entry within the limits runs (so the margin holds for the pyoxigraph installed)."""
    entries = spellings(STRUCTURES)
    with ThreadPoolExecutor(2) as pool:
        finished = list(pool.map(_run, [entry.text for entry in entries]))
    for entry, process in zip(entries, finished, strict=True):
        where = f"{STRUCTURES.name} line {entry.line} ({entry.what})"
        if entry.oxigraph == "crash":
            assert process.returncode < 0, f"{where}: pyoxigraph did not die ({process.stdout}{process.stderr})"
        else:
            assert process.stdout == "ok\n", f"{where}: {process.returncode} {process.stderr[-300:]}"


def test_a_long_chain_of_comparisons_passes() -> None:
    """tests/test_hostile.py's parse that defeats the shortcut (which that test sends whole): 2,300 comparisons
    are logical operators only, within their limit."""
    terms = " || ".join(f'?o = "value number {i}"' for i in range(2_300))
    text = f"PREFIX from: <urn:hostile:>\nSELECT * WHERE {{ ?s ?p ?o FILTER({terms}) }}"
    assert size(text) == Size(logical=2_299, arithmetic=1, groups=2, patterns=0, exact=True)
    check_size(text)


def test_real_queries_are_far_below_the_limits() -> None:
    folders = (ROOT / "queries", ROOT / "benchmarks" / "queries", ROOT / "src")
    texts = [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.rglob("*.rq"))]
    assert len(texts) > 40
    for text in texts:
        measured = size(text)
        assert measured.exact
        assert sum(getattr(measured, name) / limit for name, limit in LIMITS.items()) < 0.05


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ASK { ?s ?p (1 2 3) }", Size(0, 0, 2, 6, exact=True)),  # a collection: two patterns per item
        ("ASK { ?s ?p ?o . (1 2) ?p ?o }", Size(0, 0, 2, 5, exact=True)),  # after a dot (a word): a collection
        ("ASK { ?s a (1true.5) }", Size(0, 0, 2, 6, exact=True)),  # three items glued into one word
        ("ASK { ?s ?p ?o FILTER(STR(?o) IN (1, 2, 3)) }", Size(0, 0, 4, 0, exact=True)),  # calls, not items
        ("ASK { ?s ?p ?o FILTER xsd:boolean(?o) }", Size(0, 0, 2, 0, exact=True)),  # a call after FILTER
        ("ASK { ?s ?p ?o, ?o; ?p [ ?p ?o ] . ?s ?p ?o. }", Size(0, 0, 1, 6, exact=True)),
        ("ASK { ?s ?p ?o VALUES (?x ?y) { (1 -2) (<urn:a> <urn:b>) } }", Size(0, 0, 2, 0, exact=True)),
        ('ASK { ?e text:matches "il 6" }', Size(0, 0, 2, 0, exact=True)),  # becomes a VALUES block
        ('ASK { ?s ?p "x"@values { BIND(1 AS ?x) } }', Size(0, 0, 3, 0, exact=True)),  # a language tag: no data
        ("ASK { ?s :p/^:q/:r ?o FILTER(!(1-1 > 2*3 && ?o || ?s)) }", Size(3, 5, 3, 0, exact=True)),
        ("ASK { FILTER(?a<urn:a-b>1) }", Size(0, 1, 2, 0, exact=True)),  # `<` may be an operator: `-` counts
        ("ASK { FILTER(?a<http://a#b>1) }", Size(0, 0, 2, 0, exact=True)),  # `//`: an IRI in any reading
        ("ASK { FILTER(?a<urn:a#b>1) }", Size(0, 0, 2, 0, exact=False)),  # `#` may start a comment
    ],
)
def test_size_counts_what_oxigraph_recurses_into(query: str, expected: Size) -> None:
    assert size(query) == expected


def test_long_texts_that_cannot_be_counted_exactly_are_refused() -> None:
    text = "ASK { FILTER(?a<urn:a#b>1) }" + " " * SMALL
    with pytest.raises(QueryRefused, match="may be an IRI or the less-than operator") as refused:
        check_size(text)
    assert refused.value.status == 400
    check_size(text.strip())  # short texts are not read at all


def test_shares_of_the_limits_add_up() -> None:
    half = LIMITS["groups"] // 2 + 10
    text = "ASK { :s :p :o" + ",:o" * (LIMITS["patterns"] // 2 + 10) + " " + "MINUS{}" * half + " }"
    with pytest.raises(QueryRefused, match=r"together 10[0-9]\.[0-9]% of the limit"):
        check_size(text)
    check_size(text.replace("MINUS{}" * half, "MINUS{}" * (half - 30)))
