"""CytoKG on an external store: `cytokg load` into a real Virtuoso, answer parity with the embedded store, and the
loader's promises (one copy after two loads, the old graphs intact after a killed load, Update when GSP is missing).

The web-app tests themselves run on Virtuoso through the ``BACKENDS`` parametrization in test_server.py,
test_server_safety.py, test_pages.py, test_search.py and test_clients.py.
"""

from __future__ import annotations

import http.server
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from cytokg.backends.load import ntriples_chunks, staging_graph
from cytokg.backends.remote import Credentials, Graphs, Published, RemoteStore, SparqlClient, StoreError
from cytokg.queries import Table, answer_difference, expected_answer, has_order_by, run_query_text, term_text
from cytokg.release import ASSERTED_TRIPLES, EXAMPLES_FILE, INFERRED_TYPES
from cytokg.store import ASSERTED_GRAPH, EXAMPLES_GRAPH, INFERRED_GRAPH, Dataset, open_store
from cytokg.testing.virtuoso import LocalVirtuoso
from cytokg.web.app import create_app

from .conftest import ROOT, VERIFIED, LoadedStore, cytokg_load

EXAMPLES = sorted((ROOT / "queries" / "examples").glob("*.rq"))
JSON = {"Accept": "application/sparql-results+json"}
#: Debian's Virtuoso 7.2.5 gets property paths with a bound start wrong (upstream openlink/virtuoso-opensource
#: issues #127, #951, #1078): `?c rdfs:subClassOf* X` inside FILTER NOT EXISTS keeps every ?c (CQ11: 76 rows, not
#: 32) and `?chain a/rdfs:subClassOf* X` after a join finds nothing (CQ27: 0 rows, not 41), while each path alone
#: is right. No portable rewrite tried (FILTER EXISTS, MINUS, subqueries, sameTerm, inverse paths) answers
#: correctly there, so these stay strict expected failures: if a Virtuoso answers them right, the tests fail.
VIRTUOSO_PATH_BUGS = {"cq11-non-immune-producers", "cq27-drugs-on-pro-inflammatory-receptors"}
#: Examples that use ``text:matches``, which reads the release's search index: an external store has none.
NEEDS_SEARCH_INDEX = {"text-search"}


def _examples() -> list[object]:
    bug = pytest.mark.xfail(strict=True, reason="Virtuoso 7.2 property-path bug (see VIRTUOSO_PATH_BUGS)")
    index = pytest.mark.xfail(strict=True, reason="text:matches needs the search index (see NEEDS_SEARCH_INDEX)")
    marks = {**dict.fromkeys(VIRTUOSO_PATH_BUGS, bug), **dict.fromkeys(NEEDS_SEARCH_INDEX, index)}
    return [pytest.param(p, id=p.stem, marks=[marks[p.stem]] if p.stem in marks else []) for p in EXAMPLES]


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def _graph_counts(server: LocalVirtuoso, prefix: str) -> dict[str, int]:
    """Triples per graph whose name starts with ``prefix``, over the whole store (no dataset restriction)."""
    query = (
        f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }} '
        "GROUP BY ?g"
    )
    client = SparqlClient(Credentials(server.user, server.password))
    store = RemoteStore(server.update_url, client=client)
    answer = store.run(query, (), ())
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in answer}


@pytest.fixture(scope="module")
def remote(virtuoso_loaded: LoadedStore) -> RemoteStore:
    return RemoteStore(virtuoso_loaded.server.sparql_url)


@pytest.fixture(scope="module")
def embedded(built: Path) -> Dataset:
    return open_store(built / "oxigraph")


def test_chunks_keep_blank_node_groups_together(tmp_path: Path) -> None:
    source = tmp_path / "fixture.nt"  # synthetic fixture triples
    source.write_text(
        '<urn:a> <urn:p> _:x .\n_:x <urn:q> _:y .\n_:y <urn:r> "fixture text" .\n<urn:b> <urn:p> <urn:c> .\n'
        "<urn:d> <urn:p> _:z .\n_:z <urn:q> <urn:e> .\n<urn:f> <urn:p> <urn:g> .\n",
        encoding="utf-8",
    )
    chunks = [data.decode() for _, data in ntriples_chunks(source, 1)]
    assert sorted(chunk.count("\n") for chunk in chunks) == [1, 1, 2, 3]
    assert any("<urn:a>" in chunk and '"fixture text"' in chunk for chunk in chunks)  # a, x and y travel together
    assert any("<urn:d>" in chunk and "<urn:e>" in chunk for chunk in chunks)
    assert [count for count, _ in ntriples_chunks(source, 100)] == [7]


class _Flaky(http.server.BaseHTTPRequestHandler):
    """A loopback server that answers 503 twice, then 200 (fixture behaviour for the retry test)."""

    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.send_response(503 if type(self).calls <= 2 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture()
def flaky() -> Iterator[str]:
    _Flaky.calls = 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_client_retries_transient_errors(flaky: str) -> None:
    assert SparqlClient(backoff=0.01).request("POST", flaky, data=b"x").status_code == 200
    assert _Flaky.calls == 3
    _Flaky.calls = 0
    with pytest.raises(StoreError, match="HTTP 503"):
        SparqlClient(retries=1, backoff=0.01).request("POST", flaky, data=b"x")


def test_load_reports_counts_and_verifies(virtuoso_loaded: LoadedStore, built: Path) -> None:
    output = virtuoso_loaded.load.stdout
    assert f"<{ASSERTED_GRAPH}>: {_lines(built / ASSERTED_TRIPLES)} triples (as built)" in output
    assert f"<{INFERRED_GRAPH}>: {_lines(built / INFERRED_TYPES)} triples (as built)" in output
    examples = len(Graph().parse(built / EXAMPLES_FILE, format="turtle"))
    assert f"<{EXAMPLES_GRAPH}>: {examples} triples (as built)" in output
    assert f"{len(VERIFIED)} example queries give their expected answers: {', '.join(VERIFIED)}" in output
    assert "verified" in output
    assert "loaded by gsp" in output


@pytest.mark.parametrize("path", _examples())
def test_example_answers_match_on_virtuoso(remote: RemoteStore, embedded: Dataset, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    on_virtuoso = run_query_text(Published(remote), text, path)
    assert on_virtuoso.rows, "an example must return rows"
    ordered = has_order_by(text)
    assert answer_difference(on_virtuoso, run_query_text(embedded, text, path), ordered) is None
    assert answer_difference(on_virtuoso, expected_answer(path), ordered) is None


@pytest.mark.parametrize("path", _examples())
def test_union_answers_match_on_virtuoso(remote: RemoteStore, embedded: Dataset, path: Path) -> None:
    """With the inferred memberships in the default graph, as /sparql serves it."""
    text = path.read_text(encoding="utf-8")
    tables = []
    for store in (remote, embedded):
        answer = store.query(text, use_default_graph_as_union=True)
        assert isinstance(answer, pyoxigraph.QuerySolutions)
        names = [v.value for v in answer.variables]
        tables.append(Table(names, [[term_text(row[name]) for name in names] for row in answer]))
    assert tables[0].rows
    assert answer_difference(tables[0], tables[1], has_order_by(text)) is None


@pytest.fixture(scope="module", params=["embedded", "virtuoso"])
def app_client(built: Path, request: pytest.FixtureRequest) -> FlaskClient:
    config = {"CLIENT_BUDGET": 100_000.0, "CLIENT_PARALLEL": 1000}
    if request.param == "virtuoso":
        loaded: LoadedStore = request.getfixturevalue("virtuoso_loaded")
        config["BACKEND"] = f"sparql+{loaded.server.sparql_url}"  # type: ignore[assignment]
    return create_app(built, ROOT / "queries", config).test_client()


def _select(client: FlaskClient, query: str, **dataset: str) -> list[dict[str, dict[str, str]]]:
    response = client.get("/sparql", query_string={"query": query, **dataset}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()["results"]["bindings"])


def test_dataset_semantics_are_the_embedded_ones(app_client: FlaskClient) -> None:
    gp130 = "PREFIX cyto: <https://w3id.org/cytokg/vocab/> SELECT ?x WHERE { ?x a cyto:GP130FamilyCytokine }"
    assert len(_select(app_client, gp130)) >= 4  # inferred memberships are in the default graph
    assert _select(app_client, gp130, **{"default-graph-uri": ASSERTED_GRAPH}) == []
    assert len(_select(app_client, gp130, **{"default-graph-uri": INFERRED_GRAPH})) >= 4
    graphs = _select(app_client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert sorted(row["g"]["value"] for row in graphs) == [EXAMPLES_GRAPH, INFERRED_GRAPH]
    other = "SELECT (COUNT(*) AS ?n) FROM <http://www.openlinksw.com/schemas/virtrdf#> WHERE { ?s ?p ?o }"
    assert _select(app_client, other)[0]["n"]["value"] == "0"  # a graph this endpoint does not serve is empty


def test_other_graphs_of_the_store_stay_hidden(built: Path, virtuoso_loaded: LoadedStore) -> None:
    client = create_app(built, ROOT / "queries", {"BACKEND": f"sparql+{virtuoso_loaded.server.sparql_url}"})
    query = "SELECT * FROM <urn:x> FROM NAMED <https://w3id.org/cytokg/graph/inferred> WHERE { ?s ?p ?o }"
    response = client.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 403 and "<urn:x> is not a graph of this endpoint" in response.get_json()["error"]
    hidden = {"named-graph-uri": "http://www.openlinksw.com/schemas/virtrdf#"}
    assert _select(client.test_client(), "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", **hidden) == []


def test_load_twice_leaves_exactly_one_copy(virtuoso: LocalVirtuoso, built: Path) -> None:
    graph = "urn:cytokg-test:twice"
    options = ("--graph", graph, "--inferred-graph", f"{graph}-inferred", "--verify-queries", "2")
    for _ in range(2):
        done = cytokg_load(virtuoso, built, *options)
        assert done.returncode == 0, done.stderr
    counts = _graph_counts(virtuoso, graph)
    assert counts == {graph: _lines(built / ASSERTED_TRIPLES), f"{graph}-inferred": _lines(built / INFERRED_TYPES)}


#: The examples Virtuoso answers correctly (its property-path bugs would fail the load's gate on the others).
_VERIFY = tuple(option for name in VERIFIED for option in ("--verify-query", name))


def test_killed_load_leaves_the_previous_graphs_intact(virtuoso: LocalVirtuoso, built: Path) -> None:
    graph = "urn:cytokg-test:killed"
    options = ("--graph", graph, "--inferred-graph", f"{graph}-inferred", *_VERIFY)
    assert cytokg_load(virtuoso, built, *options).returncode == 0
    command = [sys.executable, "-m", "cytokg", "load", "--endpoint", virtuoso.sparql_url, "--update-endpoint"]
    command += [virtuoso.update_url, "--gsp-endpoint", virtuoso.gsp_url, "--user", virtuoso.user, "--password"]
    command += [virtuoso.password, "--build-dir", str(built), "--chunk-size", "50", *options]
    loader = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _graph_counts(virtuoso, staging_graph(graph)).get(staging_graph(graph), 0) < 5_000:
            assert loader.poll() is None, "the load finished before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        loader.send_signal(signal.SIGKILL)
    finally:
        loader.kill()
        loader.wait(10)
    counts = _graph_counts(virtuoso, graph)
    assert counts[graph] == _lines(built / ASSERTED_TRIPLES)
    assert counts[f"{graph}-inferred"] == _lines(built / INFERRED_TYPES)
    assert 5_000 <= counts[staging_graph(graph)] < _lines(built / ASSERTED_TRIPLES)  # the half-loaded copy is aside
    store = RemoteStore(virtuoso.sparql_url, Graphs(graph, f"{graph}-inferred"))
    example = EXAMPLES[0]
    answer = run_query_text(Published(store), example.read_text(encoding="utf-8"), example)
    assert answer_difference(answer, expected_answer(example), ordered=True) is None
    assert cytokg_load(virtuoso, built, *options).returncode == 0
    assert staging_graph(graph) not in _graph_counts(virtuoso, graph)


def test_load_falls_back_to_sparql_update_without_gsp(virtuoso: LocalVirtuoso, built: Path) -> None:
    graph = "urn:cytokg-test:update"
    options = ("--graph", graph, "--inferred-graph", f"{graph}-inferred", *_VERIFY)
    done = cytokg_load(virtuoso, built, *options, gsp=f"{virtuoso.base_url}/no-graph-store-here")
    assert done.returncode == 0, done.stderr
    assert "using SPARQL Update instead" in done.stderr and "loaded by update" in done.stdout
    assert _graph_counts(virtuoso, graph)[graph] == _lines(built / ASSERTED_TRIPLES)


def test_wrong_password_is_a_clear_error(virtuoso: LocalVirtuoso, built: Path) -> None:
    command = [sys.executable, "-m", "cytokg", "load", "--endpoint", virtuoso.update_url, "--user", "dba"]
    command += ["--password", "not-the-password", "--build-dir", str(built), "--graph", "urn:cytokg-test:denied"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "authentication failed (HTTP 401)" in done.stderr and "--password" in done.stderr


def test_serve_refuses_a_bad_or_unreachable_backend(built: Path) -> None:
    for backend, message in (
        ("http://127.0.0.1:9/sparql", "sparql+http://"),
        ("sparql+http://127.0.0.1:9/sparql", "cannot connect"),
    ):
        command = [sys.executable, "-m", "cytokg", "serve", "--build-dir", str(built), "--backend", backend]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 2 and message in done.stderr, done.stderr


def test_a_wrong_answer_fails_verification(virtuoso: LocalVirtuoso, built: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", queries)
    expected = queries / "examples" / "cq01-cytokine-families.expected.tsv"
    lines = expected.read_text(encoding="utf-8").splitlines(keepends=True)
    expected.write_text("".join(lines[:-1]), encoding="utf-8")  # a deliberately wrong expectation: one row short
    graph = "urn:cytokg-test:verify"
    options = ("--graph", graph, "--inferred-graph", f"{graph}-inferred", "--queries-dir", str(queries))
    done = cytokg_load(virtuoso, built, *options, "--verify-query", "cq01-cytokine-families")
    assert done.returncode == 1
    rows = len(lines) - 1  # the header line is not a row
    assert (
        f"cq01-cytokine-families.rq answers differently on {virtuoso.sparql_url}: {rows} rows, expected {rows - 1}"
        in (done.stderr)
    )
