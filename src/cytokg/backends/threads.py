"""Answer plainly safe queries on query threads of the web process, so a cheap query costs no trip to a process.

pyoxigraph lets go of the GIL while it evaluates, so a query thread runs beside the request threads. It runs in
the same lanes as the query processes (``lanes.py``): its CPU time is its own thread clock, and Linux re-nices a
single thread by its TID. What a thread cannot do is stop. So only text the lexer proves plainly safe (a query,
no SERVICE, no FROM) runs here, and only while a heavy-lane place is free for it and its client; anything else
goes to the ``QueryPool``'s killable processes, and so does a query the store cannot parse (only a process may
run the full parse that explains why).

A query that outgrows the fast lane when no heavy place is left, or that passes the time limit, is *abandoned*:
its client gets 503 at once, its thread runs on at the lowest priority, holding a heavy-lane place, and ends
after the query. ``on_retire`` is called when ``abandon_limit`` queries are abandoned and still running, or the
process's memory passes ``memory_limit``: the supervisor (web/supervisor.py) then starts a new web process and
drains this one, which ends whatever it abandoned.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from cytokg.backends.base import Answer, Busy, Job, QueryTimeout
from cytokg.backends.embedded import QueryPool, run_job
from cytokg.backends.heap import HeapTrimmer
from cytokg.backends.lanes import HEAVY_NICENESS
from cytokg.release import SEARCH_FILE
from cytokg.sparql.lexemes import plainly_safe

__all__ = ["STACK_BYTES", "QueryThreads"]

#: A query thread's stack: the 8 MB of a process's main thread, on which the structure limits of
#: ``sparql.safety.LIMITS`` (30% of what overflows it) were measured.
STACK_BYTES = 8 * 1024 * 1024
_STACK_LOCK = threading.Lock()
#: Run once when the store is opened, so that the first real query pays no first-use cost.
_WARM_UP = Job("ASK { ?s ?p ?o }")


class _QueryThread:
    """One query thread, its inbox and its answer; reused while it keeps its first priority."""

    def __init__(self, threads: QueryThreads) -> None:
        self._threads = threads
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._answers: queue.SimpleQueue[Answer | None] = queue.SimpleQueue()
        self._answer: Answer | None = None
        self._started = threading.Event()
        self.reniced = False
        self.abandoned = False
        self.tid = 0
        self._clock = 0
        self.thread = threading.Thread(target=self._loop, daemon=True, name="cytokg-query-thread")
        with _STACK_LOCK:  # the size is the process's setting for threads started from now on
            before = threading.stack_size(STACK_BYTES)
            try:
                self.thread.start()
            finally:
                threading.stack_size(before)
        self._started.wait()

    def _loop(self) -> None:
        self.tid = threading.get_native_id()
        self._clock = time.pthread_getcpuclockid(threading.get_ident())
        self._started.set()
        threads = self._threads
        try:
            while (job := self._jobs.get()) is not None:
                started = self.cpu_seconds()
                try:
                    answer = run_job(threads.store, job, threads.settings, threads.index, explain=False)
                except Exception as error:  # noqa: BLE001 - an answer for every request; the thread lives on
                    answer = Answer(500, "error", b"", error=f"the query failed: {error}")
                self._answers.put(answer)
                if self.cpu_seconds() - started > threads.settings.fast_slice:  # only such a query holds much memory
                    threads.after_query()
        finally:
            if self.abandoned:
                threads.abandoned_ended()

    def send(self, job: Job) -> None:
        self._jobs.put(job)

    def answered(self, seconds: float) -> bool:
        """Whether the answer is there within ``seconds`` (``recv`` returns it)."""
        try:
            self._answer = self._answers.get(timeout=seconds) if seconds > 0 else self._answers.get_nowait()
        except queue.Empty:
            return False
        return True

    def recv(self) -> Answer | None:
        """The answer; None for a query the store could not parse."""
        return self._answer

    def cpu_seconds(self) -> float:
        return time.clock_gettime(self._clock)

    def lower_priority(self, niceness: int) -> None:
        self.reniced = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.tid, max(niceness, self._threads.niceness))
        except OSError:
            pass

    def restore_priority(self) -> bool:
        """Give the thread its first priority back; False if the system refuses (then the thread ends)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.tid, self._threads.niceness)
        except OSError:
            return False
        self.reniced = False
        return True

    def end(self) -> None:
        """End the thread after its query."""
        self._jobs.put(None)


class QueryThreads:
    """The web process's query threads over its own read-only store, beside ``pool`` (see the module's
    docstring); thread-safe. ``run`` is ``Executor.run``."""

    def __init__(
        self,
        store_dir: Path,
        pool: QueryPool,
        abandon_limit: int = 2,
        memory_limit: int = 0,
        on_retire: Callable[[], None] | None = None,
    ) -> None:
        import pyoxigraph

        self.pool = pool
        self.settings = pool.settings
        self.lanes = pool.lanes
        self.store = pyoxigraph.Store.read_only(str(store_dir))
        self.index = store_dir.parent / SEARCH_FILE
        self.niceness = os.getpriority(os.PRIO_PROCESS, 0)
        self.abandon_limit = abandon_limit
        self.memory_limit = memory_limit
        self.on_retire = on_retire
        self._idle: list[_QueryThread] = []
        self._lock = threading.Lock()
        self._abandoned = 0
        self._retiring = False
        self._heap = HeapTrimmer()
        run_job(self.store, _WARM_UP, self.settings, self.index)

    @property
    def abandoned(self) -> int:
        """Queries abandoned and still running."""
        with self._lock:
            return self._abandoned

    def run(self, job: Job, client: str = "-") -> Answer:
        """Run ``job`` for ``client`` on a query thread when it is plainly safe and may outgrow the fast lane,
        else in the pool (``QueryPool.run``: the same errors)."""
        if job.thorough or not plainly_safe(job.text) or not self.lanes.heavy_room(client):
            return self.pool.run(job, client)
        self.lanes.enter_fast(client)
        if not self.lanes.heavy_room(client):  # filled while the query waited for its place
            self.lanes.leave_fast()
            return self.pool.run(job, client)
        answer = self._exchange(job, client)
        return answer if answer is not None else self.pool.run(job, client)

    def _exchange(self, job: Job, client: str) -> Answer | None:
        """Run ``job`` on a query thread, its fast-lane place already taken (and given back here)."""
        lanes, settings = self.lanes, self.settings
        fast, heavy, keep = True, False, False
        worker = self._take()
        try:
            started = time.monotonic()
            worker.send(job)
            if lanes.answered_fast(worker, started, client):
                keep = not worker.reniced or worker.restore_priority()
                return worker.recv()
            lanes.leave_fast()
            fast = False
            try:
                lanes.enter_heavy(client)
            except Busy:
                self._abandon(worker)
                raise
            heavy = True
            worker.lower_priority(HEAVY_NICENESS)
            if worker.answered(settings.timeout - (time.monotonic() - started)):
                keep = worker.restore_priority()
                return worker.recv()
            self._abandon(worker)
            raise QueryTimeout(f"the query ran longer than {settings.timeout:g} s and was stopped")
        finally:
            if fast:
                lanes.leave_fast()
            if heavy:
                lanes.leave_heavy(client)
            if keep:
                with self._lock:
                    self._idle.append(worker)
            elif not worker.abandoned:
                worker.end()

    def _take(self) -> _QueryThread:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _QueryThread(self)

    def _abandon(self, worker: _QueryThread) -> None:
        """Answer without the query: its thread runs on at the lowest priority, holding a heavy place."""
        worker.abandoned = True
        worker.lower_priority(HEAVY_NICENESS)
        worker.end()
        self.lanes.hold_heavy(1)
        with self._lock:
            self._abandoned += 1
            retire = self._abandoned >= self.abandon_limit
        if retire:
            self._retire()

    def abandoned_ended(self) -> None:
        """An abandoned query has ended: its heavy place is free again."""
        self.lanes.hold_heavy(-1)
        with self._lock:
            self._abandoned -= 1

    def after_query(self) -> None:
        """Give a heavy query's memory back; retire the process if it stays past ``memory_limit``."""
        self._heap.after_query()
        if self.memory_limit and self._heap.resident() > self.memory_limit:
            self._retire()

    def _retire(self) -> None:
        with self._lock:
            if self._retiring or self.on_retire is None:
                return
            self._retiring = True
        self.on_retire()

    def close(self) -> None:
        """End the idle query threads and the pool's processes; running queries end with the process."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.end()
        self.pool.close()
