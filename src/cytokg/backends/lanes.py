"""The fast and heavy lanes every query passes through, whoever runs it (a query process or a query thread).

Every query starts in the *fast* lane; past ``fast_slice`` seconds of CPU its runner is re-niced, so cheap
queries keep the CPU. One that has used ``fast_budget`` seconds of CPU (only ``fast_slice`` while another
client's queries wait for the fast lane) moves to the *heavy* lane, which is small, with at most
``client_heavy`` heavy queries per client, at the lowest priority. A query that finds the fast lane full for
``queue_wait`` seconds, or the heavy lane full when it needs it, is refused with ``Busy`` (HTTP 503 and
Retry-After): cheap work always has capacity of its own. ``QueryPool`` (embedded.py) and ``QueryThreads``
(threads.py) share one ``Lanes``, so the rules hold across both.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from cytokg.backends.base import Busy

__all__ = ["HEAVY_NICENESS", "SLOW_NICENESS", "LaneSettings", "Lanes", "Runner"]

#: CPU priorities: a query past its fast slice, and a query in the heavy lane (cheap ones stay at 0).
SLOW_NICENESS = 10
HEAVY_NICENESS = 19
#: How often a fast-lane wait looks at the query's CPU time and the queue behind it (seconds).
_POLL = 0.01
#: How long a query runs before its CPU time is first looked at: most answer sooner.
_FIRST_LOOK = 0.005
#: Wall time after which a query leaves the fast lane whatever its CPU time (it may be starved or blocked) when
#: another client waits.
_FAST_WALL = 2.0


@dataclass(frozen=True)
class LaneSettings:
    """Sizes and limits of the lanes (all configurable from ``cytokg serve``)."""

    timeout: float = 30.0
    max_rows: int = 100_000
    allowed_services: frozenset[str] = frozenset()
    fast: int = 4
    fast_ready: int = 1  # fast-lane processes kept started while idle; the lane grows to ``fast`` on demand
    heavy: int = 2
    fast_budget: float = 0.25
    fast_slice: float = 0.02
    queue_wait: float = 3.0
    client_heavy: int = 1
    memory: int = 2048 * 1024 * 1024  # bytes of data a query process may hold (0: no limit)


class Runner(Protocol):
    """What runs one query: a query process or a query thread."""

    reniced: bool

    def answered(self, seconds: float) -> bool:
        """Whether the answer is there (or the runner died) within ``seconds``."""
        ...

    def cpu_seconds(self) -> float:
        """CPU time the runner has used so far."""
        ...

    def lower_priority(self, niceness: int) -> None:
        """Let cheap queries have the CPU first."""
        ...


class Lanes:
    """The fast lane's places and queue, the heavy lane's places per client; thread-safe."""

    def __init__(self, settings: LaneSettings) -> None:
        self.settings = settings
        self._fast = threading.BoundedSemaphore(settings.fast)
        self._lock = threading.Lock()
        self._heavy = 0
        self._client_heavy: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()  # queries waiting for the fast lane, per client
        self._waiting_total = 0

    def enter_fast(self, client: str) -> None:
        """Take a fast-lane place for ``client``, waiting up to ``queue_wait`` seconds, or raise ``Busy``."""
        with self._lock:
            self._waiting[client] += 1
            self._waiting_total += 1
        try:
            admitted = self._fast.acquire(timeout=self.settings.queue_wait)
        finally:
            with self._lock:
                self._waiting_total -= 1
                self._waiting[client] -= 1
                if self._waiting[client] <= 0:
                    del self._waiting[client]
        if not admitted:
            raise Busy("the server is at capacity; retry shortly", retry_after=2)

    def leave_fast(self) -> None:
        self._fast.release()

    def answered_fast(self, runner: Runner, started: float, client: str) -> bool:
        """Wait for the answer while the query belongs in the fast lane: until it has used ``fast_budget``
        seconds of CPU (or run for the time limit), or only ``fast_slice`` while another client's queries wait
        for the lane, so that one client's burst of heavy work cannot queue anyone else's cheap work. The
        client's own waiting queries do not move it: in the heavy lane it could only be slowed down or refused,
        and that client's next query would be no sooner. CPU time, not wall time: on a loaded machine a cheap
        query is slow but still cheap."""
        settings = self.settings
        first = min(_FIRST_LOOK, settings.fast_slice)
        if runner.answered(first):
            return True
        cpu_start = runner.cpu_seconds() - first  # as if the query had had the CPU all along its first wait
        while not runner.answered(_POLL):
            used = runner.cpu_seconds() - cpu_start
            if used >= settings.fast_slice and not runner.reniced:
                runner.lower_priority(SLOW_NICENESS)
            wall = time.monotonic() - started
            if used >= settings.fast_budget or wall >= settings.timeout:
                return runner.answered(0)
            if (used >= settings.fast_slice or wall >= _FAST_WALL) and self._others_waiting(client):
                return runner.answered(0)
        return True

    def _others_waiting(self, client: str) -> bool:
        """Whether queries of clients other than ``client`` wait for the fast lane."""
        with self._lock:
            return self._waiting_total > self._waiting[client]

    def enter_heavy(self, client: str) -> None:
        """Take a heavy-lane place for ``client``, or raise ``Busy``."""
        settings = self.settings
        with self._lock:
            if self._client_heavy[client] >= settings.client_heavy:
                count = "one long-running query" if settings.client_heavy == 1 else "your long-running queries"
                raise Busy(
                    f"you are already running {count}; this one is long-running too and was stopped: "
                    "wait for the other to finish",
                    retry_after=5,
                    status=429,
                )
            if self._heavy >= settings.heavy:
                raise Busy(
                    "the server is busy with long-running queries; this one is long-running too and was stopped: "
                    "retry later",
                    retry_after=10,
                )
            self._heavy += 1
            self._client_heavy[client] += 1

    def leave_heavy(self, client: str) -> None:
        with self._lock:
            self._heavy -= 1
            self._client_heavy[client] -= 1
            if self._client_heavy[client] <= 0:
                del self._client_heavy[client]
