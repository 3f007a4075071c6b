"""Run every SPARQL query the app needs in child processes that can be killed: one vetted, time-limited path.

A thread cannot interrupt pyoxigraph mid-query, so queries run in a pool of child processes, each with its
own read-only store (for an external store, an empty one: there the pool vets queries, and runs only those
whose dataset is made of graphs the external store must not show). The child vets the query first (updates,
SERVICE allow-list, nesting), under the same time limit as the query itself, so no text is ever parsed
outside the limit.

The processes run in the lanes of ``lanes.py``: a query past its fast slice has its process re-niced; a
re-niced process gets its priority back and is reused after its query, or is retired where the system does not
let the server raise a priority again (no root, no RLIMIT_NICE). A query stopped in the heavy lane, or past the
time limit, ends with its process.

What a query leaves behind stays in its process: glibc's free heap and the store's caches. Before it answers, a
process that is ``GROWTH`` larger than when it was ready gives the free heap back and, if it is still that much
larger, opens its store afresh (about 30 ms at 5M triples), which drops the caches (``heap.py``). A process still
that large after its answer (what a fresh store does not give back) is replaced, in the background, by a new
one; and a process the lane grew for (beyond ``fast_ready``) that stays idle for ``IDLE_SECONDS`` is stopped.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import os
import resource
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cytokg.backends.base import Answer, Job, QueryTimeout, SlowAnswer, serialize_answer
from cytokg.backends.heap import GROWTH, HeapTrimmer
from cytokg.backends.lanes import HEAVY_NICENESS, Lanes, LaneSettings
from cytokg.children import die_with_parent_now
from cytokg.release import SEARCH_FILE
from cytokg.search import TextSearchError, expand_text_search

__all__ = ["EXTERNAL_TEXT_SEARCH", "IDLE_SECONDS", "QueryPool", "Ready", "Vetted", "run_job", "vet", "vet_external"]

#: Seconds a query process beyond ``LaneSettings.fast_ready`` may stay idle before it is stopped.
IDLE_SECONDS = 10.0


@dataclass(frozen=True)
class Vetted:
    """A query the safety check lets through, with the dataset it names itself (FROM / FROM NAMED)."""

    has_dataset: bool
    from_default: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()


def vet(job: Job, allowed_services: frozenset[str], parse: bool = True) -> Answer | Vetted:
    """Refuse what must never run (an error ``Answer``), else the dataset the query names (``Vetted``).

    Runs inside the killable process, so even a pathological query is parsed under the time limit; on a query
    thread (without ``parse``) it decides plainly safe text only and raises ``Undecided`` for the rest."""
    from cytokg.sparql.safety import QueryRefused, inspect_query, query_dataset

    try:
        has_dataset = inspect_query(job.text, allowed_services, thorough=job.thorough, parse=parse)
        from_default, from_named = query_dataset(job.text) if has_dataset else ((), ())
    except SyntaxError as error:
        return Answer(400, "error", b"", error=f"malformed query: {error}")
    except QueryRefused as error:
        return Answer(error.status, "error", b"", error=str(error))
    except RecursionError:
        return Answer(400, "error", b"", error="the query is nested too deeply to parse")
    return Vetted(has_dataset, from_default, from_named)


#: Why a query searching the index is refused on an external store (it would match nothing there).
EXTERNAL_TEXT_SEARCH = (
    "text:matches is not available on this endpoint: it queries an external triple store, which has no CytoKG "
    "search index (the pattern would silently match nothing there); use /api/search"
)


def vet_external(job: Job, allowed_services: frozenset[str]) -> Answer | Vetted:
    """``vet`` for a query an external store will run: also refuse ``text:matches`` (400)."""
    vetted = vet(job, allowed_services)
    if isinstance(vetted, Vetted):
        try:
            expand_text_search(job.text, None)  # raises for any use of the property
        except TextSearchError:
            return Answer(400, "error", b"", error=EXTERNAL_TEXT_SEARCH)
    return vetted


@dataclass(frozen=True)
class _VetOnly:
    """Ask a query process to vet ``job`` for an external store, not to run it."""

    job: Job


def run_job(store: Any, job: Job, settings: LaneSettings, index: Path | None, light: bool = False) -> Answer | None:
    """Vet and run ``job`` on a pyoxigraph ``store``; ``text:matches`` reads ``index``. ``light`` (on a query
    thread) returns None instead of work that would hold the GIL for long: rdflib's parse of text that is not
    plainly safe or that the store cannot parse, and an answer written row by row (``SlowAnswer``)."""
    import pyoxigraph

    from cytokg.sparql.safety import Undecided, syntax_error
    from cytokg.store import ASSERTED_GRAPH, INFERRED_GRAPH

    try:
        vetted = vet(job, settings.allowed_services, parse=not light)
    except Undecided:
        return None
    if isinstance(vetted, Answer):
        return vetted
    # Without a dataset in the request or the query, the default graph is the asserted graph plus the
    # reasoner's inferred memberships, so `?x a cyto:GP130FamilyCytokine` finds IL-11 (the examples graph
    # is a named graph only).
    union = not (vetted.has_dataset or job.default_graphs or job.named_graphs)
    options: dict[str, Any] = {}
    try:
        if union:
            options["default_graph"] = [pyoxigraph.DefaultGraph(), pyoxigraph.NamedNode(INFERRED_GRAPH)]
        if job.default_graphs:
            # The asserted graph's name in external stores means this store's default graph.
            options["default_graph"] = [
                pyoxigraph.DefaultGraph() if iri == ASSERTED_GRAPH else pyoxigraph.NamedNode(iri)
                for iri in job.default_graphs
            ]
        if job.named_graphs:
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in job.named_graphs]
        if job.bindings:
            options["substitutions"] = {
                pyoxigraph.Variable(name): pyoxigraph.NamedNode(iri) for name, iri in job.bindings
            }
        text = expand_text_search(job.text, index)

        def answer() -> Any:  # run again when the answer may be over the row limit
            return store.query(text, base_iri=job.base_iri, **options)

        return serialize_answer(answer(), job, settings.max_rows, answer, slow=not light)
    except SlowAnswer:
        return None
    except TextSearchError as error:
        return Answer(400, "error", b"", error=str(error))
    except SyntaxError as error:
        if light:
            return None
        message = syntax_error(job.text) or str(error)  # the same line/column message as any malformed query
        return Answer(400, "error", b"", error=f"malformed query: {message}")
    except (OSError, ValueError, RuntimeError) as error:
        return Answer(500, "error", b"", error=str(error))


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Imported once by the fork server, so a new query process starts in about 40 ms instead of 140 ms. Not rdflib:
#: pages a query process inherits count in its RSS, and only a query the lexer cannot decide (or a malformed one,
#: to explain it) needs rdflib's parser, which that process then imports under the query's time limit.
_PRELOAD = [
    "cytokg.backends.lifeline",
    "cytokg.backends.embedded",
    "cytokg.backends.base",
    "cytokg.backends.heap",
    "cytokg.sparql.safety",
    "cytokg.sparql.formats",
    "cytokg.sparql.results",
    "cytokg.store",
    "cytokg.search",
    "pyoxigraph",
]


@dataclass(frozen=True)
class Ready:
    """A query process's first message: its store is open and its code paths are warm."""

    pid: int


#: Run once by every new query process so that its first real query pays no import or first-use cost.
_WARM_UP = Job("ASK { ?s ?p ?o }")


def _serve(connection: multiprocessing.connection.Connection, store_dir: str | None, settings: LaneSettings) -> None:
    """The child's loop: receive a job and answer it, or only vet it (``_VetOnly``). Without a store (for an
    external store) jobs run on an empty one: a query whose dataset is only graphs outside that store."""
    die_with_parent_now()
    if settings.memory:  # past it an allocation fails and the process aborts (``_died``)
        resource.setrlimit(resource.RLIMIT_DATA, (settings.memory, settings.memory))
    import pyoxigraph

    def open_store() -> Any:
        return pyoxigraph.Store.read_only(store_dir) if store_dir else pyoxigraph.Store()

    store = open_store()
    index = Path(store_dir).parent / SEARCH_FILE if store_dir else None
    run_job(store, _WARM_UP, settings, index)
    vet_external(_WARM_UP, settings.allowed_services)
    heap = HeapTrimmer()
    connection.send(Ready(os.getpid()))
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        try:
            if isinstance(message, _VetOnly):
                reply: Answer | Vetted | None = vet_external(message.job, settings.allowed_services)
            else:
                reply = run_job(store, message, settings, index)
        except MemoryError:  # in Python's part of the work (pyoxigraph's own allocations abort the process)
            reply = _out_of_memory(settings.memory)  # what it held is freed: the process serves on
        # before the answer, so the pool sees the size the process keeps (``_Child.grown``)
        heap.after_query()
        if store_dir and heap.grown():  # what stays is mostly the store's caches: they go with the store
            try:
                fresh = open_store()
                run_job(fresh, _WARM_UP, settings, index)
            except (OSError, MemoryError):
                pass  # the old store serves on
            else:
                store = fresh
                heap.after_reopen()
        try:
            connection.send(reply)
        except MemoryError:  # pickling the answer
            connection.send(_out_of_memory(settings.memory))


class _Child:
    """One query process and its pipe."""

    def __init__(self, context: Any, store_dir: str | None, settings: LaneSettings) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, store_dir, settings), daemon=True, name="cytokg-query"
        )
        self.process.start()
        child.close()
        self.connection: multiprocessing.connection.Connection = parent
        self._poller = select.poll()  # one system call per look (Connection.poll builds a selector every time)
        self._poller.register(parent.fileno(), select.POLLIN)
        self.niceness = os.getpriority(os.PRIO_PROCESS, 0)  # the server's, which the process inherits
        self.reniced = False
        self.idle_since = time.monotonic()
        self.ready_size = 0
        try:  # kept open: a look at the CPU time or the size is then one system call
            self._stat: int | None = os.open(f"/proc/{self.process.pid}/stat", os.O_RDONLY)
            self._statm: int | None = os.open(f"/proc/{self.process.pid}/statm", os.O_RDONLY)
        except OSError:
            self._stat = self._statm = None

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Wait until the process has opened its store and warmed up (its ``Ready`` message).

        :raises OSError: it died or took longer than ``seconds``.
        """
        try:
            started = self.answered(seconds) and isinstance(self.connection.recv(), Ready)
        except EOFError:
            started = False
        if not started:
            self.kill()
            raise OSError("a query process did not start")
        self.ready_size = self.resident()

    def resident(self) -> int:
        """The process's resident set in bytes (0 where /proc is missing)."""
        if self._statm is None:
            return 0
        try:
            return int(os.pread(self._statm, 128, 0).split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    def grown(self) -> bool:
        """Whether the process keeps more than ``GROWTH`` bytes beyond its size when it was ready."""
        return self.resident() - self.ready_size > GROWTH

    def answered(self, seconds: float) -> bool:
        """Whether the process has answered (or died) within ``seconds``."""
        return bool(self._poller.poll(max(0, math.ceil(seconds * 1000))))

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (Linux); wall time stands in elsewhere."""
        if self._stat is None:
            return time.monotonic()
        try:
            fields = os.pread(self._stat, 1024, 0).rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return time.monotonic()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def lower_priority(self, niceness: int) -> None:
        """Let cheap queries have the CPU first (until ``restore_priority``)."""
        self.reniced = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, max(niceness, self.niceness))
        except OSError:
            pass

    def restore_priority(self) -> bool:
        """Give a re-niced process its first priority back for its next query; False if the system refuses."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, self.niceness)
        except OSError:
            return False
        self.reniced = False
        return True

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()
        for descriptor in (self._stat, self._statm):
            if descriptor is not None:
                os.close(descriptor)
        self._stat = self._statm = None


def _out_of_memory(memory: int) -> Answer:
    """The answer for a query that needed more than ``memory`` bytes."""
    return Answer(
        500,
        "error",
        b"",
        error=f"the query needed more than the {memory // 2**20:,} MB of memory a query may use, and was stopped; "
        "ask for less: a LIMIT, or no sorting, grouping or string building over everything",
    )


def _died(child: _Child | None, memory: int) -> Answer:
    """The answer for a query whose process died: an allocation past its memory limit aborts it (SIGABRT; so
    does a failure inside the store, which the message cannot tell apart)."""
    if child is not None:
        child.process.join(1)
    if child is not None and memory and child.process.exitcode == -signal.SIGABRT:
        return _out_of_memory(memory)
    return Answer(500, "error", b"", error="the query process died; try again")


class QueryPool:
    """Query processes in a fast and a heavy lane (see the module's docstring); thread-safe."""

    def __init__(self, store_dir: Path | None, settings: LaneSettings, lanes: Lanes | None = None) -> None:
        self.store_dir = str(store_dir) if store_dir is not None else None
        self.settings = settings
        self.lanes = lanes or Lanes(settings)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._closed = False
        self._filling = False
        self._reaping = False
        self._fast_busy = 0  # processes running a query in the fast lane
        #: Called with a job that left the fast lane having used the lane's CPU budget: the query threads remember
        #: it (``threads.CostMemory``).
        self.on_heavy: Callable[[Job], None] | None = None

    def start(self) -> None:
        """Start ``fast_ready`` processes now, so they open the store while the app finishes starting; the lane
        grows to ``fast`` processes only when that many queries run at once (each process holds its own
        memory)."""
        ready = min(self.settings.fast_ready, self.settings.fast)
        children = [_Child(self._context, self.store_dir, self.settings) for _ in range(ready)]
        for child in children:
            child.wait_ready()
        with self._lock:
            self._idle.extend(children)

    @property
    def pids(self) -> list[int]:
        """The PIDs of the idle query processes."""
        with self._lock:
            return [child.process.pid for child in self._idle]

    def _spawn(self) -> _Child:
        child = _Child(self._context, self.store_dir, self.settings)
        child.wait_ready()
        return child

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive:
                    return child
                child.kill()
        return self._spawn()

    def _give_back(self, child: _Child) -> None:
        child.idle_since = time.monotonic()
        with self._lock:
            if not self._closed and len(self._idle) < self.settings.fast:
                self._idle.append(child)
                self._reap_later()
                return
        child.kill()

    def _reap_later(self) -> None:
        """Stop, in the background, the idle processes beyond ``fast_ready`` that stay idle for ``IDLE_SECONDS``
        (called with the lock held)."""
        if self._reaping or len(self._idle) <= self.settings.fast_ready:
            return
        self._reaping = True

        def reap() -> None:
            while True:
                time.sleep(IDLE_SECONDS / 4)
                with self._lock:
                    spare = len(self._idle) - self.settings.fast_ready
                    now = time.monotonic()
                    # the least recently used are at the bottom of the stack
                    stale = [child for child in self._idle[:spare] if now - child.idle_since >= IDLE_SECONDS]
                    for child in stale:
                        self._idle.remove(child)
                    done = self._closed or len(self._idle) <= self.settings.fast_ready
                    if done:
                        self._reaping = False
                for child in stale:
                    child.kill()
                if done:
                    return

        threading.Thread(target=reap, daemon=True, name="cytokg-query-reaper").start()

    def run(self, job: Job, client: str = "-") -> Answer:
        """Run ``job`` for ``client`` (an address or an internal name) and return its answer.

        :raises Busy: no capacity now: the fast lane stayed full, or the query outgrew the fast lane while the
            heavy lane or the client's share of it was full (the query was stopped).
        :raises QueryTimeout: the time limit passed; the process was killed.
        """
        reply = self._exchange(job, client)
        assert isinstance(reply, Answer), "a query process answers a job with an Answer"
        return reply

    def vet(self, job: Job, client: str = "-") -> Answer | Vetted:
        """Only vet ``job`` for an external store (``vet_external``): ``Vetted``, or the refusal.

        :raises Busy: as ``run``.
        :raises QueryTimeout: as ``run``.
        """
        return self._exchange(_VetOnly(job), client)

    def _exchange(self, job: Job | _VetOnly, client: str) -> Answer | Vetted:
        """Send ``job`` to a query process in the right lane and return what it answers."""
        lanes = self.lanes
        lanes.enter_fast(client)
        fast, heavy, reusable = True, False, False
        child: _Child | None = None
        try:
            child = self._take()
            self._fast_busy_by(1)
            started, cpu_before = time.monotonic(), child.cpu_seconds()
            child.connection.send(job)
            if lanes.answered_fast(child, started, client):
                reply: Answer | Vetted = child.connection.recv()
                reusable = (not child.reniced or child.restore_priority()) and not child.grown()
                return reply
            lanes.leave_fast()
            self._fast_busy_by(-1)
            fast = False
            lanes.enter_heavy(client)
            heavy = True
            child.lower_priority(HEAVY_NICENESS)
            if child.answered(self.settings.timeout - (time.monotonic() - started)):
                reply = child.connection.recv()
                reusable = child.restore_priority() and not child.grown()
                return reply
            raise QueryTimeout(f"the query ran longer than {self.settings.timeout:g} s and was stopped")
        except (EOFError, OSError):
            return _died(child, self.settings.memory)
        finally:
            if fast:
                lanes.leave_fast()
                if child is not None:
                    self._fast_busy_by(-1)
            elif child is not None and isinstance(job, Job):
                self._costly(job, child.cpu_seconds() - cpu_before)
            if heavy:
                lanes.leave_heavy(client)
            if child is not None:
                if reusable:
                    self._give_back(child)
                else:
                    child.kill()
                    self._top_up()

    def _costly(self, job: Job, cpu: float) -> None:
        """Tell ``on_heavy`` of a job that left the fast lane if it used the lane's CPU budget (``cpu`` seconds)."""
        if self.on_heavy is not None and cpu >= self.settings.fast_budget:
            self.on_heavy(job)

    def _fast_busy_by(self, change: int) -> None:
        with self._lock:
            self._fast_busy += change

    def _top_up(self, wanted: int | None = None, busy: bool = False) -> None:
        """Start processes in the background until ``wanted`` (``fast_ready``) are idle (with ``busy``, idle or
        running a query in the fast lane): replacements for retired ones, or (``prepare``) the whole lane."""
        wanted = min(self.settings.fast_ready if wanted is None else wanted, self.settings.fast)

        def enough() -> bool:  # with the lock held
            return len(self._idle) + (self._fast_busy if busy else 0) >= wanted

        def fill() -> None:
            try:
                while True:
                    with self._lock:
                        if self._closed or enough():
                            return
                    child = self._spawn()
                    with self._lock:
                        if not self._closed and len(self._idle) < self.settings.fast:
                            self._idle.append(child)
                            self._reap_later()
                            continue
                    child.kill()
                    return
            finally:
                with self._lock:
                    self._filling = False

        with self._lock:
            if self._closed or self._filling or enough():
                return
            self._filling = True
        threading.Thread(target=fill, daemon=True, name="cytokg-query-top-up").start()

    def prepare(self) -> None:
        """Start the fast lane's processes in the background (as many as it has places, counting those running a
        query there), so that queries about to come here do not wait for one to start while they hold a place in
        the lane."""
        self._top_up(self.settings.fast, busy=True)

    def close(self) -> None:
        """Stop every idle query process; running ones end with their queries."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()
