"""An attacker's view of the running server (`cytokg serve`): injection through every route that takes a path or
parameter, pathological queries, bursts, slow clients, floods; and the fairness rules that keep it usable.

Each attack must leave cheap queries answered, none refused — the server's promise to everyone else. How fast
they are answered under a burst and under hostile parses (p99 <= 1 s) is measured by ``make bench-burst``
(benchmarks/burst.py), not asserted here: timings belong in benchmarks.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

import pytest

from cytokg.sparql.safety import LIMITS
from cytokg.web.app import create_app
from cytokg.web.fairness import ClientLimits
from cytokg.web.pages import OWN_KINDS

from .conftest import ROOT, _free_port, _serving, wait_until_serving

CHEAP = "ASK { <https://w3id.org/cytokg/protein/HGNC_6018> ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIG = "SELECT * WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 100000"


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 20) -> int:
    """The HTTP status of one request (errors are answers too)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def cheap(base: str, client: str | None = None) -> int:
    """Status of one cheap query (from ``client``, through the trusted proxy header)."""
    headers = {"Accept": "application/sparql-results+json"} | ({"X-Forwarded-For": client} if client else {})
    return fetch(f"{base}/sparql?{urllib.parse.urlencode({'query': CHEAP})}", headers=headers)


class CheapProbe:
    """Sends cheap queries in a row from its own client while an attack runs; records their statuses."""

    def __init__(self, base: str, client: str | None = None) -> None:
        self.base, self.client = base, client
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.statuses.append(cheap(self.base, self.client))
            time.sleep(0.05)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    """`cytokg serve` behind a (simulated) trusted proxy: X-Forwarded-For names the client."""
    with _serving(built, "--trusted-proxy", "127.0.0.1", "--query-timeout", "8") as url:
        yield url


class Listener:
    """A loopback TCP listener that records whether anything connected to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


def _payloads(port: int) -> list[str]:
    service = f"<http://127.0.0.1:{port}/x>"
    return [
        f"x> ?p ?o }} UNION {{ SERVICE {service} {{ ?a ?b ?c }} }} }} #",
        f"HGNC_6018> ?p ?o . SERVICE {service} {{ ?a ?b ?c }} }} #",
        "x> ?p ?o . FILTER(EXISTS { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }) } #",
        "x> ?p ?o } UNION { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } } #",
        'HGNC_6018" ; ?p "x',
        "HGNC_6018' } #",
        "HGNC_6018>\n} # newline",
        "HGNC_6018%3E%20%7D",  # percent-encoded twice after quoting
        "{ } #",
        "../../../etc/passwd",
        f"HGNC_6018> <file:///etc/passwd> {service} ",
    ]


def _attack_urls(base: str, port: int) -> list[str]:
    urls = []
    for payload in _payloads(port):
        key = urllib.parse.quote(payload, safe="")
        urls += [f"{base}/{kind}/{key}" for kind in OWN_KINDS]
        urls += [f"{base}/{kind}/{key}.ttl" for kind in ("protein", "complex")]
        urls += [f"{base}/obo/{key}", f"{base}/obo/CL_{key}.rdf", f"{base}/downloads/{key}"]
        for route, name in (("/api/search", "q"), ("/search", "q"), ("/query", "query"), ("/api/search", "limit")):
            urls.append(f"{base}{route}?{urllib.parse.urlencode({name: payload})}")
        for name in ("default-graph-uri", "named-graph-uri", "format"):
            urls.append(f"{base}/sparql?{urllib.parse.urlencode({'query': CHEAP, name: payload})}")
    service = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"
    urls.append(f"{base}/sparql?{urllib.parse.urlencode({'query': service})}")
    return urls


def test_injection_through_every_route_reaches_nothing(server: str) -> None:
    listener = Listener()
    try:
        urls = _attack_urls(server, listener.port)
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda url: fetch(url, headers={"X-Forwarded-For": "10.9.0.1"}), urls))
        status = cheap(server)
    finally:
        listener.close()
    assert listener.connections == 0, "a request made the server open a connection"
    assert len(urls) > 200
    assert set(statuses) <= {200, 400, 403, 404, 406}, sorted(set(statuses))
    page_statuses = [s for url, s in zip(urls, statuses, strict=True) if "/sparql" not in url and "search" not in url]
    assert set(page_statuses) <= {200, 404}  # /query shows its parameter as text, unrun; forged keys are 404
    assert status == 200  # and the server still answers (its latency: make bench-burst)


def test_hostile_parses_are_bounded(server: str) -> None:
    """Queries that defeat the cheap safety shortcut are parsed inside the killable process, under the limit."""
    terms = " || ".join(f'?o = "value number {i}"' for i in range(2_300))
    hostile = f"PREFIX from: <urn:hostile:>\nSELECT * WHERE {{ ?s ?p ?o FILTER({terms}) }}"  # a prefix named from
    assert 60_000 < len(hostile) < 65_536
    huge = (hostile + " " * 200_000).encode()
    direct = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    with CheapProbe(server, "10.1.0.1") as probe, ThreadPoolExecutor(12) as pool:
        jobs = [pool.submit(fetch, f"{server}/sparql", data=huge, headers=direct) for _ in range(2)]
        jobs += [
            pool.submit(
                fetch, f"{server}/sparql", data=hostile.encode(), headers=direct | {"X-Forwarded-For": f"10.2.0.{i}"}
            )
            for i in range(10)
        ]
        statuses = [job.result() for job in jobs]
    assert statuses[:2] == [413, 413]
    assert set(statuses[2:]) <= {200, 503}
    assert set(probe.statuses) == {200}  # every cheap query answered, none refused (p99: make bench-burst)


def test_burst_of_heavy_work_leaves_cheap_queries_fast(server: str) -> None:
    """A burst from distinct clients: heavy queries are admitted up to the heavy lane or refused, cheap ones all
    answered (their latency under this burst is make bench-burst's)."""
    jobs: list[tuple[str, Callable[[], int]]] = []
    for i, query in enumerate([CARTESIAN] * 4 + [BIG] * 6):
        url = f"{server}/sparql?{urllib.parse.urlencode({'query': query})}"
        headers = {"X-Forwarded-For": f"10.3.0.{i}", "Accept": "application/sparql-results+json"}
        jobs.append(("heavy", functools.partial(fetch, url, headers=headers)))
    jobs += [("cheap", functools.partial(cheap, server, f"10.4.0.{i}")) for i in range(40)]
    jobs = jobs[::2] + jobs[1::2]  # heavy and cheap interleaved
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: (job[0], job[1]()), jobs))
    assert [status for kind, status in results if kind == "cheap"] == [200] * 40  # all answered, none refused
    heavy = [status for kind, status in results if kind == "heavy"]
    assert set(heavy) <= {200, 503}
    assert 503 in heavy  # more heavy work than the heavy lane holds is refused, not queued


def test_slow_clients_cannot_hold_the_server(server: str) -> None:
    """50 slowloris sockets, each sending a header line now and then, while a client queries."""
    sockets = []
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    for _ in range(50):
        connection = socket.create_connection((host, int(port)))
        connection.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
        sockets.append(connection)
    with CheapProbe(server, "10.5.0.1") as probe:
        for round_ in range(8):
            time.sleep(1)
            for connection in sockets:
                connection.sendall(f"X-Slow-{round_}: 1\r\n".encode())
    for connection in sockets:
        connection.close()
    assert len(probe.statuses) >= 20
    assert set(probe.statuses) == {200}  # every cheap query answered while the sockets hang (p99: make bench-burst)


def test_chunked_body_over_the_limit_is_413(server: str) -> None:
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        head = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        connection.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"#" * 65_536
        try:
            for _ in range(8):
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close the connection as soon as the body passes the limit
        answer = connection.recv(200)
    assert answer.startswith(b"HTTP/1.1 413"), answer


def test_a_body_the_server_refuses_unread_gets_the_json_error_of_every_other_refusal(server: str) -> None:
    """Waitress refuses a Content-Length past the limit before the app sees the request; its answer is JSON too."""
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    limit = 3 * 65_536 + 1024  # a form-encoded query may be three times its 64 KB of text
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        connection.sendall(f"{head}Content-Length: {limit + 1}\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(4096):  # the server closes the connection after its answer
            answer += chunk
    head_lines, _, body = answer.partition(b"\r\n\r\n")
    assert head_lines.startswith(b"HTTP/1.1 413"), answer
    assert b"Content-Type: application/json" in head_lines
    assert b"Access-Control-Allow-Origin: *" in head_lines  # a page on another site can read why
    assert json.loads(body) == {"error": f"request larger than {limit} bytes", "status": 413}


def test_clients_behind_the_proxy_have_budgets_of_their_own(built: Path) -> None:
    with _serving(built, "--trusted-proxy", "127.0.0.1", "--client-budget", "1", "--query-timeout", "2") as base:
        url = f"{base}/sparql?{urllib.parse.urlencode({'query': CARTESIAN})}"
        assert fetch(url, headers={"X-Forwarded-For": "10.6.0.1"}) == 503  # stopped after 2 s: budget spent
        assert cheap(base, "10.6.0.1") == 429
        assert cheap(base, "10.6.0.2") == 200
        assert cheap(base) == 200  # the proxy's own address is a client like any other


def test_quick_lookups_are_never_throttled(built: Path) -> None:
    app = create_app(built, ROOT / "queries")
    client = app.test_client()
    statuses = [client.get("/protein/HGNC_6018.ttl").status_code for _ in range(100)]
    statuses += [client.get("/sparql", query_string={"query": CHEAP}).status_code for _ in range(100)]
    app.extensions["cytokg"].close()
    assert statuses == [200] * 200


def test_parallel_requests_per_client_are_capped(built: Path) -> None:
    app = create_app(built, ROOT / "queries", {"CLIENT_PARALLEL": 2, "QUERY_TIMEOUT": 3.0, "CLIENT_HEAVY": 2})
    with ThreadPoolExecutor(3) as pool:
        calls = [pool.submit(app.test_client().get, "/sparql", query_string={"query": CARTESIAN}) for _ in range(3)]
        responses = [call.result() for call in calls]
    other = app.test_client().get("/healthz").status_code
    app.extensions["cytokg"].close()
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [429, 503, 503]
    assert next(r for r in responses if r.status_code == 429).headers["Retry-After"] == "1"
    assert other == 200


def test_idle_clients_are_forgotten() -> None:
    limits = ClientLimits(parallel=4, budget_seconds=60, window_seconds=1, storage_uri="memory://")
    for i in range(3_000):
        client = ClientLimits.client_key(f"2001:db8:{i:x}::1")
        assert limits.admit(client) is None
        limits.release(client, 0.001)
    stored = limits._limiter.storage.storage  # type: ignore[attr-defined]
    assert len(stored) >= 3_000
    time.sleep(2.5)  # two windows: every count has expired
    assert limits.admit("10.7.0.1") is None  # traffic drives the expiry sweep
    limits.release("10.7.0.1", 0.001)
    deadline = time.monotonic() + 5
    while len(stored) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(stored) <= 1
    assert not limits._running


def test_deep_nesting_and_bad_encodings_are_400(built: Path) -> None:
    app = create_app(built, ROOT / "queries")
    client = app.test_client()
    nested = "SELECT * WHERE { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }"
    deep = client.get("/sparql", query_string={"query": nested})
    bad_get = client.get("/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%22%FF%22%7D")
    bad_form = client.post(
        "/sparql", data=b"query=ASK%20%7B%3Fs%20%3Fp%20%22%FF%22%7D", content_type="application/x-www-form-urlencoded"
    )
    long_search = client.get("/api/search", query_string={"q": "interleukin " * 10_000})
    still = client.get("/sparql", query_string={"query": CHEAP}).status_code
    app.extensions["cytokg"].close()
    assert deep.status_code == 400 and "nests brackets" in deep.get_json()["error"]
    assert long_search.status_code == 400 and "longer than" in long_search.get_json()["error"]
    assert bad_get.status_code == 400 and "UTF-8" in bad_get.get_json()["error"]
    assert bad_form.status_code == 400 and "UTF-8" in bad_form.get_json()["error"]
    assert still == 200


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(parent, set()).add(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), set()):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its new parent to reap it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def _fetch_until_killed(url: str, headers: dict[str, str]) -> None:
    """Fetch ``url``; the server is killed before it answers, which is what the test is about."""
    with contextlib.suppress(OSError):
        fetch(url, headers=headers, timeout=60)


def test_query_processes_die_with_the_server(built: Path) -> None:
    """A server killed mid-query (OOM killer, SIGKILL) leaves nothing running: not its web process (with an endless
    query on a query thread), nor its query processes (one runs an endless query over a FROM dataset)."""
    port = _free_port()
    command = [sys.executable, "-m", "cytokg", "serve", "--build-dir", str(built), "--port", str(port)]
    command += ["--queries-dir", str(ROOT / "queries"), "--query-timeout", "60", "--trusted-proxy", "127.0.0.1"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    children: set[int] = set()
    try:
        wait_until_serving(base)
        from_dataset = CARTESIAN.replace(" WHERE", " FROM <https://w3id.org/cytokg/graph/asserted> WHERE")
        for query, client in ((CARTESIAN, "10.7.0.1"), (from_dataset, "10.7.0.2")):
            url = f"{base}/sparql?{urllib.parse.urlencode({'query': query})}"
            headers = {"X-Forwarded-For": client}
            threading.Thread(target=_fetch_until_killed, args=(url, headers), daemon=True).start()
        time.sleep(2.5)  # the endless queries are running
        children = _descendants(server.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert any(b"cytokg.web.front" in command for command in commands), "no web process under the server"
        assert any(b"forkserver" in command for command in commands), "no query process under the server"
    finally:
        server.kill()
        server.wait(10)
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in children), "a web or query process outlived the server"


def test_structures_that_would_kill_the_query_process_are_400(server: str) -> None:
    """Shapes on which pyoxigraph overflows its stack (tests/resources/hostile/structures.rq) are refused by
    the vetting with the limit they pass, before the store sees them; cheap queries keep answering."""
    crashes = {
        "logical": "ASK { ?s ?p ?o FILTER(" + "!" * 11_000 + "true) }",
        "groups": "SELECT * { ?s ?p ?o " + "".join(f"BIND(1 AS ?v{i})" for i in range(3_200)) + " }",
        "patterns": "ASK { ?s ?p (" + " 1" * 5_000 + ") }",
    }
    direct = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    for name, query in crashes.items():
        request = urllib.request.Request(f"{server}/sparql", data=query.encode(), headers=direct)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=20)
        message = json.loads(refused.value.read())["error"]
        assert refused.value.code == 400 and f"the limit is {LIMITS[name]:,}" in message, message
    assert cheap(server) == 200  # the query processes survived: nothing crashed
