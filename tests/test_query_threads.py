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
from dataclasses import replace
from pathlib import Path

import pytest

from cytokg.backends import heap
from cytokg.backends import threads as threads_module
from cytokg.backends.base import Answer, Job, QueryTimeout
from cytokg.backends.embedded import QueryPool
from cytokg.backends.lanes import LaneSettings
from cytokg.backends.threads import THREAD_TEXT_BYTES, CostMemory, QueryThreads
from cytokg.publish import current_release
from cytokg.sparql.safety import LIMITS

from .conftest import ROOT, _free_port, wait_until_serving
from .test_hostile import CARTESIAN, cheap, fetch

CHEAP = Job("ASK { <https://w3id.org/cytokg/protein/HGNC_6018> ?p ?o }")
JOIN = Job("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e }")  # about 0.35 s of CPU


def _threads(built: Path, settings: LaneSettings, **options: object) -> QueryThreads:
    """Query threads over ``built``'s store (or a store folder itself), beside a pool of ``settings``."""
    store_dir = built if built.name == "oxigraph" else current_release(built) / "oxigraph"
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
    """FROM (the dataset must be vetted by a full parse), a malformed query (only a process may run the parse
    that explains it), long text (vetting it holds the GIL) and an answer past the row limit (written row by
    row) run in a query process, with the answers the pool alone gives."""
    graph = "https://w3id.org/cytokg/graph/asserted"
    assert threads.run(Job(f"ASK FROM <{graph}> {{ ?s ?p ?o }}")).status == 200
    malformed = threads.run(Job("SELECT ?x WHERE { ?x ?p }"))
    assert malformed.status == 400 and "malformed query" in malformed.error and "line 1" in malformed.error
    long_text = Job("ASK { ?s ?p ?o }" + " " * THREAD_TEXT_BYTES)
    assert threads.run(long_text).status == 200
    assert len(threads.pool.pids) == 1  # one process answered all three (reused, one at a time)
    threads.pool.close()
    settings = replace(threads.settings, max_rows=5)
    small = _threads(threads.store_dir, settings)
    try:
        over = small.run(Job("SELECT * WHERE { ?s ?p ?o } LIMIT 10"))
        assert over.truncated and over.rows == 5 and small.pool.pids
    finally:
        small.close()


def test_structures_at_their_limits_run_on_a_query_thread(threads: QueryThreads) -> None:
    """The structure limits were measured on a process's 8 MB main stack; a query thread gets as much, so a query
    short enough for a thread that holds all but a few of a limit (or all the triple patterns that fit) is
    answered, and the process lives on."""
    near = {name: limit - 10 for name, limit in LIMITS.items()}
    shapes = {
        "logical": "ASK { ?s ?p ?o FILTER(" + "!" * near["logical"] + "true) }",
        "groups": "ASK { ?s ?p ?o FILTER(" + "abs(" * near["groups"] + "1" + ")" * near["groups"] + ") }",
        "arithmetic": "ASK { ?s ?p ?o FILTER(1" + "+1" * near["arithmetic"] + ") }",
        "patterns": "PREFIX : <urn:> ASK { :x :p :o" + ",:o" * 1300 + " }",
    }
    for name, text in shapes.items():
        assert len(text) <= THREAD_TEXT_BYTES, name
        answer = threads.run(Job(text))
        assert answer.status == 200, (name, answer.error)
    assert threads.pool.pids == []  # each ran on a thread


def test_a_thread_past_its_fast_slice_is_re_niced_by_its_own_id_and_ended_if_it_cannot_be_raised_again(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the query's thread is re-niced (Linux re-nices one thread by its TID), never the web process; where
    the system refuses to give it its priority back (no root, no RLIMIT_NICE) the thread ends, and the next
    query gets a new one."""
    calls: list[tuple[int, int]] = []
    base = os.getpriority(os.PRIO_PROCESS, 0)

    def lower_only(_which: int, who: int, niceness: int) -> None:
        calls.append((who, niceness))
        if niceness <= base:
            raise PermissionError("raising a priority needs CAP_SYS_NICE")

    monkeypatch.setattr(os, "setpriority", lower_only)
    executor = _threads(built, LaneSettings(timeout=20, fast=2, fast_ready=0, fast_budget=30))
    try:
        assert executor.run(JOIN).status == 200
        assert executor.run(JOIN).status == 200
    finally:
        executor.close()
    threads = [who for who, _ in calls]
    assert threads and all(who not in (0, os.getpid()) for who in threads)
    assert [niceness for _, niceness in calls] == [max(10, base), base] * 2
    assert threads[0] != threads[2]  # the first thread ended: the second JOIN ran on a new one
    assert executor.pool.pids == []


def test_a_long_query_is_abandoned_and_run_again_in_the_pool(built: Path) -> None:
    """Past the fast lane's CPU budget a thread's query is left running at the lowest priority and the client
    gets the answer from a query process; queries go to the pool meanwhile, so no other one is abandoned. The
    abandoned queries end on their own before the time limit: the process is not replaced."""
    retired: list[bool] = []  # a generous limit: at the lowest priority on a loaded machine, JOIN is slow
    settings = LaneSettings(timeout=120, fast=2, fast_ready=0, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings, on_retire=lambda: retired.append(True))
    try:
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda client: executor.run(JOIN, client), ["a", "b"]))
        assert [answer.status for answer in answers] == [200, 200] and all(a.rows == 1 for a in answers)
        assert executor.pool.pids  # the pool answered them
        pids = set(executor.pool.pids)
        assert executor.run(CHEAP).status == 200 and set(executor.pool.pids) == pids  # cool-down: the pool again
        assert _wait_for(lambda: executor.abandoned == 0)
        executor.retire_if_abandoned()  # as the time limit's look does
        assert retired == []
    finally:
        executor.close()


def test_a_query_still_running_a_time_limit_after_it_was_abandoned_retires_the_process(built: Path) -> None:
    retired = threading.Event()
    settings = LaneSettings(timeout=0.5, queue_wait=0.5, fast=2, fast_ready=0, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings, on_retire=retired.set)
    try:
        with pytest.raises(QueryTimeout):  # in the pool, where it is stopped at the limit
            executor.run(Job(CARTESIAN))
        assert executor.abandoned == 1  # on its thread, it runs on
        assert retired.wait(30)
    finally:
        executor.close()


def test_a_replacement_sends_every_query_to_the_pool_at_first(built: Path) -> None:
    executor = _threads(built, LaneSettings(timeout=20, fast=2, fast_ready=0), quiet_for=60)
    try:
        assert executor.run(CHEAP).status == 200 and executor.pool.pids
    finally:
        executor.close()


def test_a_query_abandoned_on_a_thread_goes_straight_to_the_pool_next_time(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cost memory: a query a thread had to abandon runs only in the pool from then on, so it never runs twice
    at once again and sends no other query to the pool (no cool-down); cheap queries stay on threads."""
    monkeypatch.setattr(threads_module, "COOL_DOWN", 0.0)  # so that only the memory can keep JOIN off a thread
    settings = LaneSettings(timeout=120, fast=2, fast_ready=0, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings)
    in_pool: list[Job] = []
    prepared: list[bool] = []
    run_in_pool = executor.pool.run

    def spy(job: Job, client: str = "-") -> Answer:
        in_pool.append(job)
        return run_in_pool(job, client)

    monkeypatch.setattr(executor.pool, "run", spy)
    monkeypatch.setattr(executor.pool, "prepare", lambda: prepared.append(True))
    try:
        assert executor.run(JOIN).status == 200
        assert prepared == [True] and in_pool == [JOIN]  # abandoned on its thread, answered by the pool
        assert JOIN in executor.costly and replace(JOIN, base_iri="urn:other") not in executor.costly
        assert _wait_for(lambda: executor.abandoned == 0)
        answer = executor.run(JOIN)
        assert answer.status == 200 and answer.rows == 1
        assert prepared == [True] and in_pool == [JOIN, JOIN]  # straight to the pool, nothing abandoned
        assert executor.run(CHEAP).status == 200 and in_pool == [JOIN, JOIN]  # on a thread
    finally:
        executor.close()


def test_a_query_that_uses_the_fast_budget_in_a_query_process_is_remembered(built: Path) -> None:
    settings = LaneSettings(timeout=120, fast=2, fast_ready=0, fast_budget=0.02, fast_slice=0.01)
    executor = _threads(built, settings, quiet_for=60)  # every query to the pool
    try:
        assert executor.run(CHEAP).status == 200 and CHEAP not in executor.costly
        assert executor.run(JOIN).status == 200 and JOIN in executor.costly
        assert executor.abandoned == 0
    finally:
        executor.close()


def test_a_heavy_query_that_leaves_the_web_process_larger_gets_its_store_opened_afresh(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a trim cannot give back is mostly the store's caches: after a heavy query on a thread, a process still
    larger than ``GROWTH`` (here any size) than when it was ready opens its store again, and queries go on."""
    executor = _threads(built, LaneSettings(timeout=20, fast=2, fast_ready=0, fast_budget=30))
    try:
        first = executor.store
        monkeypatch.setattr(heap, "GROWTH", -(1 << 40))
        answer = executor.run(JOIN)
        assert answer.status == 200 and answer.rows == 1
        assert _wait_for(lambda: executor.store is not first)
        assert executor.run(CHEAP).status == 200 and executor.pool.pids == []  # on a thread, on the new store
    finally:
        executor.close()


def test_the_cost_memory_keeps_only_the_last_digests() -> None:
    """Bounded: the least recently seen query is forgotten first; only 16-byte digests are kept."""
    memory = CostMemory(2)
    first, second, third = (Job(f"ASK {{ ?s ?p {n} }}") for n in (1, 2, 3))
    memory.remember(first)
    memory.remember(second)
    assert first in memory  # seen again: now the most recent
    memory.remember(third)
    assert first in memory and third in memory and second not in memory and len(memory) == 2
    assert len(CostMemory.digest(first)) == 16
    assert replace(first, bindings=(("x", "urn:a"),)) not in memory  # another entity is another query


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


def test_the_supervisor_is_the_serve_process_itself_with_almost_nothing_imported(
    supervised: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """`cytokg serve` opens the socket and becomes the supervisor (same PID, so signals and the parent-death
    signal still reach it): a fresh interpreter with none of click, the app or the store."""
    _, server = supervised
    command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
    assert command[1:3] == [b"-m", b"cytokg.web.supervisor"]
    probe = "import sys, cytokg.web.supervisor as s; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = set(done.stdout.split())
    assert {"cytokg", "cytokg.web", "cytokg.web.supervisor"} <= modules
    assert not {name for name in modules if name.split(".")[0] in {"click", "flask", "pyoxigraph", "waitress"}}
    assert not {name for name in modules if name.startswith("cytokg.") and name.count(".") > 0} - {
        "cytokg.web",
        "cytokg.web.supervisor",
    }


def test_a_web_process_that_dies_is_replaced_even_if_its_replacement_dies_too(
    supervised: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """A crash in the store kills a web process; the supervisor starts another, and keeps trying (with a pause)
    when that one dies before it serves."""
    base, server = supervised
    (first,) = _web_processes(server.pid)
    os.kill(first, signal.SIGKILL)
    assert _wait_for(lambda: len(_web_processes(server.pid) - {first}) == 1)
    (second,) = _web_processes(server.pid) - {first}
    os.kill(second, signal.SIGKILL)  # before it has opened the store
    assert _wait_for(lambda: len(_web_processes(server.pid) - {first, second}) == 1)
    wait_until_serving(base)
    assert cheap(base) == 200 and server.poll() is None


def test_a_web_process_grown_past_its_memory_limit_drains_at_once_and_cheap_queries_go_on(built: Path) -> None:
    """A plainly safe query that materialises a cartesian product runs on a thread, is abandoned, and grows the
    web process (nothing can stop it there). Past ``--web-memory`` the process asks to be replaced and stops
    accepting; it exits when drained or past half as much again, which ends the query, and a replacement serves.
    Cheap queries get their answers throughout. (Whether one would have been lost without the early drain depends
    on timing this test does not control.)"""
    port = _free_port()
    command = [sys.executable, "-m", "cytokg", "serve", "--build-dir", str(built), "--port", str(port)]
    command += ["--queries-dir", str(ROOT / "queries"), "--query-timeout", "20", "--trusted-proxy", "127.0.0.1"]
    command += ["--web-memory", "400", "--query-memory", "300"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    growing = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d LIMIT 1"
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': growing})}"

    def attack() -> int:
        try:
            return fetch(url, headers={"X-Forwarded-For": "10.9.0.1"})
        except OSError:  # the old process may exit before its query process is done with the rerun
            return 0

    try:
        wait_until_serving(base)
        (first,) = _web_processes(server.pid)
        statuses: list[int] = []
        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(1) as pool:
            attacked = pool.submit(attack)
            while first in _web_processes(server.pid):  # it grows, drains, and exits
                assert time.monotonic() < deadline, "the web process neither grew past its limit nor was retired"
                statuses.append(cheap(base, "10.9.0.2"))
                assert not attacked.done() or attacked.result() in (0, 500, 503)
        assert attacked.result() in (0, 500, 503)  # no answer holds a cartesian product
        statuses += [cheap(base, "10.9.0.2") for _ in range(5)]
        assert len(statuses) > 5 and set(statuses) == {200}  # every cheap query answered, by one process or the other
        assert len(_web_processes(server.pid)) == 1 and server.poll() is None
    finally:
        server.terminate()
        server.wait(20)
