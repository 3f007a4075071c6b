"""Federated examples: CytoKG joined with UniProt and Wikidata by shared IRIs, against loopback stand-ins.

Each stand-in is a small SPARQL endpoint started here on loopback over a synthetic fixture graph: no internet.
"""

from __future__ import annotations

import csv
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph
import pytest
from flask.testing import FlaskClient

from cytokg.queries import read_header
from cytokg.web.app import create_app

from .conftest import RESOURCES, ROOT

FEDERATED = sorted((ROOT / "queries" / "federated").glob("*.rq"))
FIXTURES = RESOURCES / "federated"
#: The public endpoint each example names, and the fixture graph that stands in for it.
STAND_INS = {"https://sparql.uniprot.org/sparql": "uniprot.ttl", "https://query.wikidata.org/sparql": "wikidata.ttl"}


class _StandIn(ThreadingHTTPServer):
    """A read-only SPARQL endpoint over one fixture graph; it counts the requests it gets."""

    def __init__(self, fixture: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = pyoxigraph.Store()
        self.store.load(path=str(fixture), format=pyoxigraph.RdfFormat.TURTLE)
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


class _Handler(BaseHTTPRequestHandler):
    server: _StandIn

    def do_GET(self) -> None:
        self._answer(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("query", [""])[0])

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            body = urllib.parse.parse_qs(body).get("query", [""])[0]
        self._answer(body)

    def _answer(self, query: str) -> None:
        self.server.requests += 1
        solutions = self.server.store.query(query)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        body = solutions.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        assert isinstance(body, bytes)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports what matters."""


@pytest.fixture(scope="module")
def stand_ins() -> Iterator[dict[str, _StandIn]]:
    servers = {iri: _StandIn(FIXTURES / name) for iri, name in STAND_INS.items()}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield servers
    for server in servers.values():
        server.shutdown()
        server.server_close()


def _client(built: Path, allowed: set[str]) -> FlaskClient:
    config = {"CLIENT_BUDGET": 100_000.0, "CLIENT_PARALLEL": 1000, "ALLOWED_SERVICES": frozenset(allowed)}
    return create_app(built, ROOT / "queries", config).test_client()


def _on_stand_ins(text: str, servers: dict[str, _StandIn]) -> str:
    for iri, server in servers.items():
        text = text.replace(f"<{iri}>", f"<{server.url}>")
    return text


def _rows(client: FlaskClient, query: str) -> tuple[int, list[list[str]]]:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    if response.status_code != 200:
        return response.status_code, []
    answer = response.get_json()
    names = answer["head"]["vars"]
    rows = [[b[n]["value"] if n in b else "" for n in names] for b in answer["results"]["bindings"]]
    return 200, [names, *rows]


def test_there_are_federated_examples() -> None:
    assert {p.stem for p in FEDERATED} >= {"uniprot-gp130-function", "wikidata-il6-receptor-drugs"}


@pytest.mark.parametrize("path", FEDERATED, ids=lambda p: p.stem)
def test_federated_example_against_stand_in(built: Path, stand_ins: dict[str, _StandIn], path: Path) -> None:
    header = read_header(path)
    assert header.get("title") and header.get("description")
    text = path.read_text(encoding="utf-8")
    named = [iri for iri in STAND_INS if f"<{iri}>" in text]
    assert named, "a federated example names UniProt's or Wikidata's endpoint in SERVICE"
    before = {iri: stand_ins[iri].requests for iri in named}
    client = _client(built, {stand_ins[iri].url for iri in named})
    status, rows = _rows(client, _on_stand_ins(text, stand_ins))
    assert status == 200
    with (FIXTURES / f"{path.stem}.expected.tsv").open(newline="", encoding="utf-8") as handle:
        expected = list(csv.reader(handle, delimiter="\t"))
    assert rows == expected
    assert all(stand_ins[iri].requests > before[iri] for iri in named), "the answer came through the stand-in"


@pytest.mark.parametrize("path", FEDERATED, ids=lambda p: p.stem)
def test_service_not_on_the_allow_list_is_refused(built: Path, stand_ins: dict[str, _StandIn], path: Path) -> None:
    text = _on_stand_ins(path.read_text(encoding="utf-8"), stand_ins)
    before = {iri: server.requests for iri, server in stand_ins.items()}
    for allowed in (set(), {"https://sparql.uniprot.org/sparql", "https://query.wikidata.org/sparql"}):
        status, _ = _rows(_client(built, allowed), text)
        assert status == 403, f"SERVICE to a stand-in not on the allow-list {sorted(allowed)} must be refused"
    assert {iri: server.requests for iri, server in stand_ins.items()} == before, "a refused SERVICE is never called"
