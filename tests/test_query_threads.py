"""Query threads in the web process (backends/threads.py): what runs on them, what goes to the pool, and what
happens to a query that outgrows them; then the supervisor (web/serve.py) that replaces a web process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cytokg.backends.base import Busy, Job, QueryTimeout
from cytokg.backends.embedded import QueryPool
from cytokg.backends.lanes import LaneSettings
from cytokg.backends.threads import QueryThreads
from cytokg.publish import current_release
from cytokg.sparql.safety import LIMITS

from .conftest import ROOT, _free_port, wait_until_serving
from .test_hostile import CARTESIAN, cheap, fetch

CHEAP = Job("ASK { <https://w3id.org/cytokg/protein/HGNC_6018> ?p ?o }")
JOIN = Job("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e }")  # about 0.35 s of CPU


def _threads(built: Path, settings: LaneSettings, **options: object) -> QueryThreads:
    store_dir = current_release(built) / "oxigraph"
    return QueryThreads(store_dir, QueryPool(store_dir, settings), **options)  # type: ignore[arg-type]


@pytest.fixture()
def threads(built: Path) -> Iterator[QueryThreads]:
    executor = _threads(built, LaneSettings(timeout=20, fast=2, fast_ready=0))
    yield executor
    executor.close()


def test_plainly_safe_queries_run_on_a_thread_and_start_no_process(threads: QueryThreads) -> None:
    answer = threads.run(CHEAP)
    assert answer.status == 200 and b"true" in answer.body
    assert threads.pool.pids == []  # the pool started no query process for it


def test_what_a_thread_may_not_run_goes_to_the_pool(threads: QueryThreads) -> None:
    """FROM (the dataset must be vetted by a full parse) and a malformed query (only a process may run the parse
    that explains it) run in a query process, with the same answers as the pool alone gives."""
    graph = "https://w3id.org/cytokg/graph/asserted"
    from_query = threads.run(Job(f"ASK FROM <{graph}> {{ ?s ?p ?o }}", thorough=False))
    assert from_query.status == 200
    malformed = threads.run(Job("SELECT ?x WHERE { ?x ?p }"))
    assert malformed.status == 400 and "malformed query" in malformed.error and "line 1" in malformed.error
    assert len(threads.pool.pids) == 1


def test_structures_at_their_limits_run_on_a_query_thread(threads: QueryThreads) -> None:
    """The structure limits were measured on a process's 8 MB main stack; a query thread gets as much, so a query
    holding all but a few of a limit (the FILTER's brackets count too) is answered, and the process lives on."""
    at_limits = {
        "logical": "ASK { ?s ?p ?o FILTER(" + "!" * (LIMITS["logical"] - 10) + "true) }",
        "groups": "SELECT * { ?s ?p ?o "
        + "".join(f"BIND(1 AS ?v{i})" for i in range(LIMITS["groups"] - 5))
        + " } LIMIT 1",
        "patterns": "ASK { <urn:x> <urn:p> <urn:o>" + ",<urn:o>" * (LIMITS["patterns"] - 10) + " }",
    }
    for name, text in at_limits.items():
        answer = threads.run(Job(text))
        assert answer.status == 200, (name, answer.error)
    assert threads.pool.pids == []  # each ran on a thread


def test_a_thread_past_its_fast_slice_is_re_niced_by_its_own_id(
    threads: QueryThreads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the query's thread is re-niced (Linux re-nices one thread by its TID), never the web process."""
    calls: list[tuple[int, int]] = []
    real = os.setpriority

    def record(which: int, who: int, niceness: int) -> None:
        calls.append((who, niceness))
        real(which, who, max(niceness, os.getpriority(which, who)))  # lower only: the test may not raise it again

    monkeypatch.setattr(os, "setpriority", record)
    answer = threads.run(JOIN)
    assert answer.status == 200 and answer.rows == 1
    assert calls and all(who not in (0, os.getpid()) for who, _ in calls)
    assert len({who for who, _ in calls}) == 1
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert [niceness for _, niceness in calls][:2] == [max(10, base), max(19, base)]


def test_a_query_past_the_time_limit_is_abandoned_and_the_process_asks_to_retire(built: Path) -> None:
    """The client hears 503 at the time limit; the query runs on, holding a heavy-lane place (so the next
    queries go to the pool), and the process asks to be replaced once ``abandon_limit`` queries are abandoned."""
    retired = threading.Event()
    settings = LaneSettings(timeout=0.1, fast=2, fast_ready=0, heavy=1, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings, abandon_limit=1, on_retire=retired.set)
    try:
        with pytest.raises(QueryTimeout):
            executor.run(JOIN, "a")
        assert executor.abandoned == 1 and retired.is_set()
        assert not executor.lanes.heavy_room("b")  # the abandoned query holds the only heavy place
        assert executor.run(CHEAP, "b").status == 200  # answered meanwhile, by the pool
        assert executor.pool.pids
        deadline = time.monotonic() + 60
        while executor.abandoned and time.monotonic() < deadline:
            time.sleep(0.05)
        assert executor.abandoned == 0 and executor.lanes.heavy_room("b")  # the query ended; its place is free
    finally:
        executor.close()


def test_a_clients_second_long_query_goes_to_the_pool_and_is_refused_there(built: Path) -> None:
    """While a client's long query holds its heavy-lane share, its next query runs in a query process (a thread
    could not be stopped): once that one is long too, it is refused (429) and stopped, and nothing is abandoned."""
    settings = LaneSettings(timeout=20, fast=2, fast_ready=0, heavy=2, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings)
    try:
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(executor.run, JOIN, "a")
            assert _wait_for(lambda: not executor.lanes.heavy_room("a") or first.done())
            assert not first.done(), "JOIN ended before it reached the heavy lane"
            with pytest.raises(Busy) as refused:
                executor.run(JOIN, "a")
            assert refused.value.status == 429
            assert first.result().status == 200
        assert executor.abandoned == 0
    finally:
        executor.close()


@pytest.fixture()
def supervised(built: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`cytokg serve` with a 1 s time limit, trusting X-Forwarded-For from loopback: the supervisor."""
    port = _free_port()
    command = [sys.executable, "-m", "cytokg", "serve", "--build-dir", str(built), "--port", str(port)]
    command += ["--queries-dir", str(ROOT / "queries"), "--query-timeout", "1", "--trusted-proxy", "127.0.0.1"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        yield base, server
    finally:
        server.terminate()
        server.wait(20)


def _web_processes(supervisor: int) -> set[int]:
    done = subprocess.run(["pgrep", "-P", str(supervisor)], capture_output=True, text=True, check=False)
    return {int(pid) for pid in done.stdout.split()}


def _wait_for(condition: object, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_web_process_with_abandoned_queries_is_replaced_while_cheap_queries_go_on(
    supervised: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """Two endless queries are abandoned at the time limit; the supervisor starts a new web process, the old one
    drains and exits (ending both), and no cheap query is refused meanwhile."""
    base, server = supervised
    (first,) = _web_processes(server.pid)
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': CARTESIAN})}"
    statuses: list[int] = []
    with ThreadPoolExecutor(2) as pool:
        endless = [pool.submit(fetch, url, headers={"X-Forwarded-For": f"10.0.0.{n}"}) for n in (1, 2)]
        while not all(future.done() for future in endless):
            statuses.append(cheap(base))
        assert [future.result() for future in endless] == [503, 503]
    assert _wait_for(lambda: first not in _web_processes(server.pid) and len(_web_processes(server.pid)) == 1)
    statuses += [cheap(base) for _ in range(5)]
    assert set(statuses) == {200}


def test_a_web_process_that_dies_is_replaced(supervised: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, server = supervised
    (first,) = _web_processes(server.pid)
    os.kill(first, signal.SIGKILL)  # as a crash in the store would
    assert _wait_for(lambda: len(_web_processes(server.pid) - {first}) == 1)
    wait_until_serving(base)
    assert cheap(base) == 200
