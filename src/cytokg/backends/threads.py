"""Answer cheap queries on query threads of the web process, so a cheap query costs no trip to a process.

pyoxigraph lets go of the GIL while it parses, plans, evaluates and serializes, so a query thread runs beside the
request threads, in a fast-lane place of the lanes it shares with the query processes (``lanes.py``); its CPU
time is its own thread clock, and Linux re-nices a single thread by its TID. What a thread cannot do is stop, so
a thread runs only what is meant to be quick, for as long as a query may stay in the fast lane:

- only short text (``THREAD_TEXT_BYTES``) that the lexer proves plainly safe (a query; no SERVICE, no FROM),
  decided on the thread itself (any other text goes on to the pool);
- nothing that would hold the GIL for long: a query the store cannot parse (the parse that explains it), an
  answer past the row limit or in a format pyoxigraph cannot write (the row-by-row writer); these, and every
  other query, run in the ``QueryPool``'s killable processes;
- a query still running when it must leave the fast lane (it has used the lane's CPU budget, or its slice
  while other clients wait for the lane, or the time limit) is *abandoned*: it runs on at the lowest priority,
  the client's query is run again in the pool, which can stop it. Most such queries end on their own soon
  after; if one still runs once the client's query has surely ended in the pool, the web process asks to be
  replaced (``on_retire``): its supervisor starts a new one and drains this one, whose exit ends the abandoned
  query.
  For ``COOL_DOWN`` seconds after an abandonment (and for ``quiet_for`` seconds from the start, which the
  supervisor sets for a replacement) every query runs in the pool, so an attacker cannot make the server
  replace its web process again and again.
- a query that was abandoned, or that used the fast lane's CPU budget in a query process, is remembered
  (``CostMemory``: a digest of its text and options, never its answer, for the last ``COSTLY_QUERIES`` such
  queries of this process, hence of its release) and goes straight to the pool next time: it does not run twice
  at once, and costs no cool-down for everyone else.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from cytokg.backends.base import Answer, Job
from cytokg.backends.embedded import QueryPool, run_job
from cytokg.backends.heap import HeapTrimmer
from cytokg.backends.lanes import HEAVY_NICENESS
from cytokg.release import SEARCH_FILE

__all__ = ["COOL_DOWN", "COSTLY_QUERIES", "STACK_BYTES", "THREAD_TEXT_BYTES", "CostMemory", "QueryThreads"]

#: A query thread's stack: the 8 MB of a process's main thread, on which the structure limits of
#: ``sparql.safety.LIMITS`` (30% of what overflows it) were measured.
STACK_BYTES = 8 * 1024 * 1024
_STACK_LOCK = threading.Lock()
#: The longest text a query thread runs: vetting counts a text's structure in Python, holding the GIL.
THREAD_TEXT_BYTES = 4096
#: Seconds after an abandoned query during which every query runs in the pool.
COOL_DOWN = 60.0
#: Seconds a new query thread may take to start before its query goes to the pool.
_THREAD_START = 5.0
#: Run once when the store is opened, so that the first real query pays no first-use cost.
_WARM_UP = Job("ASK { ?s ?p ?o }")
#: How many costly queries a web process remembers (16 bytes each, and the dictionary's own).
COSTLY_QUERIES = 4096


class CostMemory:
    """The last ``size`` queries found too costly for a query thread, as digests of their text and options (the
    same query for another entity, graph or format is another query); thread-safe. No answer is ever kept."""

    def __init__(self, size: int = COSTLY_QUERIES) -> None:
        self.size = size
        self._digests: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(job: Job) -> bytes:
        """What identifies ``job``'s cost: every field of the job (its text, dataset, bindings and formats).

        >>> CostMemory.digest(Job("ASK {}")) == CostMemory.digest(Job("ASK {}", base_iri="urn:x"))
        False
        """
        return hashlib.blake2b(repr(job).encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def remember(self, job: Job) -> None:
        key = self.digest(job)
        with self._lock:
            self._digests[key] = None
            self._digests.move_to_end(key)
            while len(self._digests) > self.size:
                self._digests.popitem(last=False)

    def __contains__(self, job: Job) -> bool:
        key = self.digest(job)
        with self._lock:
            if key not in self._digests:
                return False
            self._digests.move_to_end(key)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._digests)


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
        if not self._started.wait(_THREAD_START):
            self.end()
            raise RuntimeError("a query thread did not start")

    def _loop(self) -> None:
        self.tid = threading.get_native_id()
        self._clock = time.pthread_getcpuclockid(threading.get_ident())
        self._started.set()
        threads = self._threads
        while (job := self._jobs.get()) is not None:
            started = self.cpu_seconds()
            try:
                answer = run_job(threads.store, job, threads.settings, threads.index, light=True)
            except Exception as error:  # noqa: BLE001 - an answer for every request; the thread lives on
                answer = Answer(500, "error", b"", error=f"the query failed: {error}")
            self._answers.put(answer)
            if self.cpu_seconds() - started > threads.settings.fast_slice:  # only such a query holds much memory
                threads.heap.after_query()
                if threads.heap.grown():  # not on this thread: its next query's CPU time would count it
                    threading.Thread(target=threads.reopen, daemon=True, name="cytokg-store-reopen").start()
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
        """The answer; None for a query only a process may run to its end."""
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
        on_retire: Callable[[], None] | None = None,
        quiet_for: float = 0.0,
    ) -> None:
        import pyoxigraph

        self.pool = pool
        self.settings = pool.settings
        self.lanes = pool.lanes
        self.store_dir = store_dir
        self.store = pyoxigraph.Store.read_only(str(store_dir))
        self.index = store_dir.parent / SEARCH_FILE
        self.niceness = os.getpriority(os.PRIO_PROCESS, 0)
        self.on_retire = on_retire
        self.heap = HeapTrimmer()
        self.costly = CostMemory()
        pool.on_heavy = self.costly.remember
        self._idle: list[_QueryThread] = []
        self._lock = threading.Lock()
        self._quiet_until = time.monotonic() + quiet_for
        self._abandoned = 0  # abandoned queries still running
        self._retiring = False
        self._reopening = False
        run_job(self.store, _WARM_UP, self.settings, self.index)

    def run(self, job: Job, client: str = "-") -> Answer:
        """Run ``job`` for ``client`` on a query thread where it may run there, else (or after all) in the pool
        (``QueryPool.run``: the same errors)."""
        answer = self._on_thread(job, client) if self._may_run_on_a_thread(job) else None
        return answer if answer is not None else self.pool.run(job, client)

    def _may_run_on_a_thread(self, job: Job) -> bool:
        return (
            not job.thorough
            and len(job.text) <= THREAD_TEXT_BYTES
            and time.monotonic() >= self._quiet_until
            and job not in self.costly
        )

    def _on_thread(self, job: Job, client: str) -> Answer | None:
        """The answer from a query thread, or None: the pool must run ``job`` (it was abandoned, it needs the
        slow path, or no thread could start)."""
        lanes = self.lanes
        lanes.enter_fast(client)
        if time.monotonic() < self._quiet_until:  # a query was abandoned while this one waited for its place
            lanes.leave_fast()
            return None
        worker: _QueryThread | None = None
        keep = False
        try:
            worker = self._take()
            started = time.monotonic()
            worker.send(job)
            if lanes.answered_fast(worker, started, client):
                keep = not worker.reniced or worker.restore_priority()
                return worker.recv()
            self._abandon(worker, job)
            return None
        except RuntimeError:  # no thread could start (a limit on threads or memory): the pool runs it
            return None
        finally:
            lanes.leave_fast()
            if worker is not None:
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

    def _abandon(self, worker: _QueryThread, job: Job) -> None:
        """Leave the query running at the lowest priority, remember ``job`` as costly, send queries to the pool for
        ``COOL_DOWN`` seconds, and look again once the client's query has surely ended in the pool: if an
        abandoned query still runs then, ask for this process to be replaced."""
        worker.abandoned = True
        self.costly.remember(job)
        worker.lower_priority(HEAVY_NICENESS)
        with self._lock:
            self._abandoned += 1
            self._quiet_until = max(self._quiet_until, time.monotonic() + COOL_DOWN)
        worker.end()
        self.pool.prepare()  # every query goes there now
        # after the client's query has surely ended in the pool (and been charged to its budget, which a
        # replacement takes over): a wait for the fast lane, the time limit, and a margin
        later = self.settings.queue_wait + self.settings.timeout + 2
        look = threading.Timer(later, self.retire_if_abandoned)
        look.daemon = True
        look.start()

    def reopen(self) -> None:
        """Open the store afresh for the next queries: the old one's caches (most of what a heavy query leaves in
        the process, ``heap.py``) go once the queries still running on it end."""
        import pyoxigraph

        with self._lock:
            if self._reopening:
                return
            self._reopening = True
        try:
            store = pyoxigraph.Store.read_only(str(self.store_dir))
            run_job(store, _WARM_UP, self.settings, self.index)
            self.store = store
        except OSError:
            return  # the old store serves on
        finally:
            with self._lock:
                self._reopening = False
        self.heap.after_reopen()

    def abandoned_ended(self) -> None:
        """An abandoned query has ended (on its thread)."""
        with self._lock:
            self._abandoned -= 1

    @property
    def abandoned(self) -> int:
        """Abandoned queries still running."""
        with self._lock:
            return self._abandoned

    def retire_if_abandoned(self) -> None:
        """Ask (once) for this process to be replaced if an abandoned query still runs (called a while after each
        abandonment)."""
        with self._lock:
            retire = self._abandoned > 0 and not self._retiring
            self._retiring = self._retiring or retire
        if retire and self.on_retire is not None:
            self.on_retire()

    def close(self) -> None:
        """End the idle query threads and the pool's processes; running queries end with the process."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.end()
        self.pool.close()
