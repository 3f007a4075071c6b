"""The query pool's lanes, seen from the inside: which process answers, and which is retired."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cytokg.backends import embedded
from cytokg.backends.base import Job
from cytokg.backends.embedded import QueryPool
from cytokg.backends.lanes import LaneSettings
from cytokg.publish import current_release

CHEAP = Job("ASK { <https://w3id.org/cytokg/protein/HGNC_6018> ?p ?o }")
JOIN = Job("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e }")  # about 0.35 s of CPU


@pytest.fixture()
def pool(built: Path) -> Iterator[QueryPool]:
    pool = QueryPool(current_release(built) / "oxigraph", LaneSettings(timeout=20, fast=2, fast_budget=0.1))
    pool.start()
    yield pool
    pool.close()


def test_a_new_process_answers_its_first_cheap_query_in_the_fast_lane(pool: QueryPool) -> None:
    """Starting a process (imports, opening the store) is not counted as the query's CPU time: the process
    stays in the fast lane and is reused, even while other queries wait."""
    started = set(pool.pids)
    answer = pool.run(CHEAP)
    assert answer.status == 200 and b"true" in answer.body
    assert set(pool.pids) == started


def test_the_fast_lane_starts_with_fast_ready_processes_and_grows_on_demand(built: Path) -> None:
    """Each process holds its own memory: an idle server keeps ``fast_ready`` of them, a second query at once
    starts another, and the grown lane is kept (up to ``fast``) while it is used."""
    settings = LaneSettings(timeout=20, fast=2, fast_ready=1, fast_budget=30)
    pool = QueryPool(current_release(built) / "oxigraph", settings)
    pool.start()
    try:
        assert len(pool.pids) == 1
        with ThreadPoolExecutor(2) as executor:
            answers = list(executor.map(pool.run, [JOIN, JOIN]))
        assert [answer.status for answer in answers] == [200, 200]
        assert len(pool.pids) == 2
    finally:
        pool.close()


def test_a_query_that_outgrows_the_fast_lane_runs_re_niced_then_its_process_is_reused(
    pool: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its fast slice the query's process is re-niced, in the heavy lane re-niced further; after the answer
    it gets its first priority back and returns to the fast lane, so a heavy query costs no new process."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "setpriority", lambda _which, pid, niceness: calls.append((pid, niceness)))
    started = set(pool.pids)
    answer = pool.run(JOIN)
    assert answer.status == 200 and answer.rows == 1
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert [niceness for _, niceness in calls] == [max(10, base), max(19, base), base]
    assert len({pid for pid, _ in calls}) == 1 and calls[0][0] in started
    assert set(pool.pids) == started


def test_a_re_niced_process_is_retired_where_its_priority_cannot_be_raised_again(
    pool: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without root or RLIMIT_NICE a process cannot get its priority back: it is retired, not given back."""
    base = os.getpriority(os.PRIO_PROCESS, 0)

    def lower_only(_which: int, _pid: int, niceness: int) -> None:
        if niceness <= base:
            raise PermissionError("raising a priority needs CAP_SYS_NICE")

    monkeypatch.setattr(os, "setpriority", lower_only)
    started = set(pool.pids)
    answer = pool.run(JOIN)
    assert answer.status == 200 and answer.rows == 1
    assert len(started - set(pool.pids)) == 1


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_processes_the_lane_grew_for_are_stopped_once_they_stay_idle(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "IDLE_SECONDS", 1.0)
    settings = LaneSettings(timeout=20, fast=3, fast_ready=1, fast_budget=30)
    pool = QueryPool(current_release(built) / "oxigraph", settings)
    pool.start()
    try:
        assert len(pool.pids) == 1
        with ThreadPoolExecutor(2) as executor:
            assert [answer.status for answer in executor.map(pool.run, [JOIN, JOIN])] == [200, 200]
        assert len(pool.pids) == 2
        assert _wait_for(lambda: len(pool.pids) == 1)  # fast_ready are kept
        assert pool.run(CHEAP).status == 200 and len(pool.pids) == 1
    finally:
        pool.close()


def test_a_process_that_keeps_memory_after_its_query_is_replaced(
    pool: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the store caches is never given back: a process still larger than when it was ready (by more than
    ``GROWTH``, here any size) is stopped after its answer and a new one started in the background."""
    started = set(pool.pids)
    monkeypatch.setattr(embedded, "GROWTH", -(1 << 40))
    assert pool.run(CHEAP).status == 200
    monkeypatch.setattr(embedded, "GROWTH", 1 << 40)  # the new one is kept
    assert _wait_for(lambda: len(pool.pids) == 1 and not set(pool.pids) & started)
    assert pool.run(CHEAP).status == 200 and pool.run(CHEAP).status == 200
    assert len(pool.pids) == 1 and not set(pool.pids) & started


@pytest.fixture()
def one_lane(built: Path) -> Iterator[QueryPool]:
    """One fast-lane process and a fast budget no test query reaches: only waiting queries move a query on."""
    pool = QueryPool(current_release(built) / "oxigraph", LaneSettings(timeout=20, fast=1, fast_budget=30))
    pool.start()
    yield pool
    pool.close()


def _join_with_a_waiter(pool: QueryPool, monkeypatch: pytest.MonkeyPatch, waiter: str) -> list[int]:
    """Run JOIN for client "a"; once it is past its fast slice, queue a cheap query for ``waiter``. The
    priorities JOIN's process was given, in order."""
    calls: list[int] = []
    past_slice = threading.Event()

    def record(_which: int, _pid: int, niceness: int) -> None:
        calls.append(niceness)
        past_slice.set()

    monkeypatch.setattr(os, "setpriority", record)
    with ThreadPoolExecutor(2) as executor:
        join = executor.submit(pool.run, JOIN, "a")
        assert past_slice.wait(60), "JOIN never passed its fast slice"
        cheap = executor.submit(pool.run, CHEAP, waiter)
        assert join.result().status == 200 and cheap.result().status == 200
    return calls


def test_another_clients_waiting_query_moves_a_long_query_to_the_heavy_lane(
    one_lane: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert max(19, base) in _join_with_a_waiter(one_lane, monkeypatch, waiter="b")


def test_a_clients_own_waiting_query_leaves_its_long_query_in_the_fast_lane(
    one_lane: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving it would only throw the client's own work away: it finishes in the fast lane."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert _join_with_a_waiter(one_lane, monkeypatch, waiter="a") == [max(10, base), base]


def test_query_processes_do_not_load_rdflib() -> None:
    """Every module the fork server preloads counts in every query process's RSS: rdflib (some 15 MB) stays out,
    and is imported only by a process that must explain a malformed query or parse one the lexer cannot decide."""
    code = (
        "import importlib, sys; from cytokg.backends.embedded import _PRELOAD\n"
        "for name in _PRELOAD: importlib.import_module(name)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'rdflib'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_query_past_the_memory_limit_is_stopped_with_a_clear_error_and_the_pool_goes_on(built: Path) -> None:
    """Each query process holds at most ``memory`` bytes of data: an ORDER BY over a cartesian product (billions
    of rows, materialised before the first is written) fails an allocation in the store, a doubled string fails
    one in the store or in Python's writer; either way the client is told why, and the next query is answered
    (by a new process where the store's allocation failed: that ends the process)."""
    settings = LaneSettings(timeout=60, fast=1, fast_budget=30, memory=400 * 1024 * 1024)
    pool = QueryPool(current_release(built) / "oxigraph", settings)
    pool.start()
    doubling = " ".join(f"BIND(CONCAT(?a{n}, ?a{n}) AS ?a{n + 1})" for n in range(17))
    strings = Job(f'SELECT ?a17 WHERE {{ BIND("{"x" * 700}" AS ?a0) {doubling} }}')  # a 92 MB string, written
    try:
        sorting = Job("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d LIMIT 1")
        for job, ends_the_process in ((sorting, True), (strings, False)):
            first = set(pool.pids)
            answer = pool.run(job)
            assert answer.status == 500
            assert "needed more than the 400 MB of memory a query may use" in answer.error
            after = pool.run(CHEAP)
            assert after.status == 200 and b"true" in after.body
            if ends_the_process:  # the store's allocation failed: a new process took the place of the one that did
                assert pool.pids and not first & set(pool.pids)
    finally:
        pool.close()
