"""Run every SPARQL query the app needs in child processes that can be killed: one vetted, time-limited path.

A thread cannot interrupt pyoxigraph mid-query, so queries run in a pool of child processes, each with its
own read-only store. The child vets the query first (updates, SERVICE allow-list, nesting), under the same
time limit as the query itself, so no text is ever parsed outside the limit.

The pool has two lanes. Every query starts in the *fast* lane; past ``fast_slice`` seconds of CPU its
process is re-niced, so cheap queries keep the CPU. One that has used ``fast_budget`` seconds of CPU (only
``fast_slice`` while other queries wait for the fast lane) moves to the *heavy* lane, which is small, with
at most ``client_heavy`` heavy queries per client, at the lowest priority. Re-niced processes are retired
after their query. A query that finds the fast lane full for ``queue_wait`` seconds, or the heavy lane full
when it needs it, is refused with ``Busy`` (HTTP 503 and Retry-After): cheap work always has capacity of
its own.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Answer",
    "Busy",
    "Job",
    "LaneSettings",
    "QueryPool",
    "QueryTimeout",
    "Ready",
    "Term",
    "die_with_parent",
    "run_job",
    "serialize_answer",
]


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class Busy(Exception):
    """No capacity for this query now: answer 503 (or 429 for a client over its share) with Retry-After."""

    def __init__(self, message: str, retry_after: int, status: int = 503) -> None:
        self.retry_after = retry_after
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Term:
    """An RDF term of a page's query result: its kind ("iri", "bnode" or "literal") and its lexical value."""

    kind: str
    value: str

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "iri"


@dataclass(frozen=True)
class Job:
    """One query for the pool.

    ``bindings`` substitute IRIs for variables as RDF terms (SEP-0007), never as text: this is how pages put
    the entity of their URL into a query. With ``rows``, the answer carries the solutions as ``Term`` tuples
    (for pages and stats) instead of a serialized body.
    """

    text: str
    result_media: str | None = "application/sparql-results+json"
    graph_media: str | None = "application/n-triples"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    bindings: tuple[tuple[str, str], ...] = ()
    rows: bool = False
    thorough: bool = False  # vet by a full parse even if the text is plainly safe


@dataclass(frozen=True)
class Answer:
    """A serialized answer (or solutions, for ``Job.rows``), or an error the client caused."""

    status: int
    media: str
    body: bytes
    rows: int = 0
    truncated: bool = False
    error: str = ""
    variables: tuple[str, ...] = ()
    solutions: tuple[tuple[Term | None, ...], ...] = ()
    has_dataset: bool = False
    from_default: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()


@dataclass(frozen=True)
class LaneSettings:
    """Sizes and limits of the pool (all configurable from ``cytokg serve``)."""

    timeout: float = 30.0
    max_rows: int = 100_000
    allowed_services: frozenset[str] = frozenset()
    fast: int = 4
    heavy: int = 2
    fast_budget: float = 0.25
    fast_slice: float = 0.02
    queue_wait: float = 3.0
    client_heavy: int = 1


def _term(term: Any) -> Term | None:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return Term("iri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return Term("bnode", term.value)
    return Term("literal", str(getattr(term, "value", term)))


def serialize_answer(answer: Any, job: Job, max_rows: int) -> Answer:
    """Serialize a pyoxigraph answer for ``job``: SELECT/ASK as its result media, CONSTRUCT/DESCRIBE as its
    graph media (406 when there is none), at most ``max_rows`` rows or triples; or solutions for ``job.rows``.

    Shared by the pool's child processes and the external-store executor (remote.py).
    """
    import pyoxigraph

    from cytokg.sparql.formats import GRAPH_TYPES
    from cytokg.sparql.results import serialize_boolean, serialize_solutions

    if isinstance(answer, pyoxigraph.QueryBoolean):
        if job.rows:
            return Answer(
                200, "rows", b"", 1, variables=("boolean",), solutions=((Term("literal", str(bool(answer)).lower()),),)
            )
        if job.result_media is None:
            return Answer(406, "results", b"")
        return Answer(200, job.result_media, serialize_boolean(bool(answer), job.result_media), 1)
    if isinstance(answer, pyoxigraph.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows: list[list[Any]] = []
        truncated = False
        for solution in answer:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([solution[name] for name in names])
        if job.rows:
            solutions = tuple(tuple(_term(value) for value in row) for row in rows)
            return Answer(200, "rows", b"", len(rows), truncated, variables=tuple(names), solutions=solutions)
        if job.result_media is None:
            return Answer(406, "results", b"")
        body = serialize_solutions(names, rows, job.result_media)
        return Answer(200, job.result_media, body, len(rows), truncated)
    if job.graph_media is None:
        return Answer(406, "graph", b"")
    triples: list[Any] = []
    truncated = False
    for triple in answer:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    body = pyoxigraph.serialize(triples, format=GRAPH_TYPES[job.graph_media]) or b""
    return Answer(200, job.graph_media, body, len(triples), truncated)


def vet(job: Job, allowed_services: frozenset[str]) -> Answer:
    """Refuse what must never run (an error ``Answer``), else a "vetted" answer with the dataset the query
    names (FROM / FROM NAMED). Runs inside the killable process, so even a pathological query is parsed under
    the time limit."""
    from cytokg.sparql.safety import QueryRefused, inspect_query, query_dataset

    try:
        has_dataset = inspect_query(job.text, allowed_services, thorough=job.thorough)
        from_default, from_named = query_dataset(job.text) if has_dataset else ((), ())
    except SyntaxError as error:
        return Answer(400, "error", b"", error=f"malformed query: {error}")
    except QueryRefused as error:
        return Answer(error.status, "error", b"", error=str(error))
    except RecursionError:
        return Answer(400, "error", b"", error="the query is nested too deeply to parse")
    return Answer(200, "vetted", b"", has_dataset=has_dataset, from_default=from_default, from_named=from_named)


def run_job(store: Any, job: Job, settings: LaneSettings) -> Answer:
    """Vet and run ``job`` on a pyoxigraph ``store`` (in the child process)."""
    import pyoxigraph

    from cytokg.sparql.safety import syntax_error
    from cytokg.store import ASSERTED_GRAPH

    vetted = vet(job, settings.allowed_services)
    if vetted.error:
        return vetted
    # Without a dataset in the request or the query, the default graph is the asserted graph plus the
    # reasoner's inferred memberships, so `?x a cyto:GP130FamilyCytokine` finds IL-11.
    union = not (vetted.has_dataset or job.default_graphs or job.named_graphs)
    options: dict[str, Any] = {"use_default_graph_as_union": union}
    try:
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
        answer = store.query(job.text, base_iri=job.base_iri, **options)
        return serialize_answer(answer, job, settings.max_rows)
    except SyntaxError as error:
        message = syntax_error(job.text) or str(error)  # the same line/column message as any malformed query
        return Answer(400, "error", b"", error=f"malformed query: {message}")
    except (OSError, ValueError, RuntimeError) as error:
        return Answer(500, "error", b"", error=str(error))


_PR_SET_PDEATHSIG = 1
#: How often a fast-lane wait looks at the query's CPU time and the queue behind it (seconds).
_POLL = 0.01
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
#: Wall time after which a query leaves the fast lane whatever its CPU time (it may be starved or blocked).
_FAST_WALL = 2.0
#: Imported once by the fork server, so a new query process starts in about 40 ms instead of 140 ms.
_PRELOAD = [
    "cytokg.backends.lifeline",
    "cytokg.sparql.safety",
    "cytokg.sparql.formats",
    "cytokg.sparql.results",
    "cytokg.store",
    "pyoxigraph",
    "rdflib.plugins.sparql.algebra",
]
#: CPU priorities: a query past its fast slice, and a query in the heavy lane (cheap ones stay at 0).
_SLOW_NICENESS = 10
_HEAVY_NICENESS = 19


def die_with_parent() -> None:
    """Have Linux kill this process when its parent dies: a killed web server leaves no query running."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(0)


@dataclass(frozen=True)
class Ready:
    """A query process's first message: its store is open and its code paths are warm."""

    pid: int


#: Run once by every new query process so that its first real query pays no import or first-use cost.
_WARM_UP = Job("ASK { ?s ?p ?o }", thorough=True)


def _serve(connection: multiprocessing.connection.Connection, store_dir: str | None, settings: LaneSettings) -> None:
    """The child's loop: receive a job, answer it; with no store, only vet (for an external store)."""
    die_with_parent()
    import pyoxigraph

    store = pyoxigraph.Store.read_only(store_dir) if store_dir else None
    if store is None:
        vet(_WARM_UP, settings.allowed_services)
    else:
        run_job(store, _WARM_UP, settings)
    connection.send(Ready(os.getpid()))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if store is None:
            connection.send(vet(job, settings.allowed_services))
        else:
            connection.send(run_job(store, job, settings))


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
        self.reniced = False

    def wait_ready(self, seconds: float = 120.0) -> None:
        """Wait until the process has opened its store and warmed up (its ``Ready`` message).

        :raises OSError: it died or took longer than ``seconds``.
        """
        try:
            started = self.connection.poll(seconds) and isinstance(self.connection.recv(), Ready)
        except EOFError:
            started = False
        if not started:
            self.kill()
            raise OSError("a query process did not start")

    @property
    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (Linux); wall time stands in elsewhere."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return time.monotonic()
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS

    def lower_priority(self, niceness: int) -> None:
        """Let cheap queries have the CPU first; a re-niced process is retired after its query."""
        self.reniced = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        except OSError:
            pass

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """Query processes in a fast and a heavy lane (see the module's docstring); thread-safe."""

    def __init__(self, store_dir: Path | None, settings: LaneSettings) -> None:
        self.store_dir = str(store_dir) if store_dir is not None else None
        self.settings = settings
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: list[_Child] = []
        self._fast = threading.BoundedSemaphore(settings.fast)
        self._lock = threading.Lock()
        self._heavy = 0
        self._client_heavy: Counter[str] = Counter()
        self._closed = False
        self._filling = False
        self._waiting = 0

    def start(self) -> None:
        """Start the fast lane's processes now, so they open the store while the app finishes starting."""
        children = [_Child(self._context, self.store_dir, self.settings) for _ in range(self.settings.fast)]
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
        with self._lock:
            if not self._closed and len(self._idle) < self.settings.fast:
                self._idle.append(child)
                return
        child.kill()

    def run(self, job: Job, client: str = "-") -> Answer:
        """Run ``job`` for ``client`` (an address or an internal name) and return its answer.

        :raises Busy: no capacity now: the fast lane stayed full, or the query outgrew the fast lane while the
            heavy lane or the client's share of it was full (the query was stopped).
        :raises QueryTimeout: the time limit passed; the process was killed.
        """
        settings = self.settings
        with self._lock:
            self._waiting += 1
        try:
            admitted = self._fast.acquire(timeout=settings.queue_wait)
        finally:
            with self._lock:
                self._waiting -= 1
        if not admitted:
            raise Busy("the server is at capacity; retry shortly", retry_after=2)
        fast, heavy, reusable = True, False, False
        child: _Child | None = None
        try:
            child = self._take()
            started = time.monotonic()
            child.connection.send(job)
            if self._answered_fast(child, started):
                answer: Answer = child.connection.recv()
                reusable = not child.reniced
                return answer
            self._fast.release()
            fast = False
            self._enter_heavy(client)
            heavy = True
            child.lower_priority(_HEAVY_NICENESS)
            if child.connection.poll(max(settings.timeout - (time.monotonic() - started), 0.0)):
                answer = child.connection.recv()
                return answer
            raise QueryTimeout(f"the query ran longer than {settings.timeout:g} s and was stopped")
        except (EOFError, OSError):
            return Answer(500, "error", b"", error="the query process died; try again")
        finally:
            if fast:
                self._fast.release()
            if heavy:
                self._leave_heavy(client)
            if child is not None:
                if reusable:
                    self._give_back(child)
                else:
                    child.kill()
                    self._top_up()

    def _answered_fast(self, child: _Child, started: float) -> bool:
        """Wait for the answer while the query belongs in the fast lane: until it has used ``fast_budget``
        seconds of CPU, or only ``fast_slice`` while other queries wait for the lane, so that a burst of heavy
        work cannot queue cheap work. CPU time, not wall time: on a loaded machine a cheap query is slow but
        still cheap."""
        settings = self.settings
        cpu_start = child.cpu_seconds()
        while not child.connection.poll(_POLL):
            used = child.cpu_seconds() - cpu_start
            if used >= settings.fast_slice and not child.reniced:
                child.lower_priority(_SLOW_NICENESS)
            if used >= settings.fast_budget or (used >= settings.fast_slice and self._waiting):
                return child.connection.poll(0)
            if time.monotonic() - started >= _FAST_WALL:
                return child.connection.poll(0)
        return True

    def _enter_heavy(self, client: str) -> None:
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

    def _leave_heavy(self, client: str) -> None:
        with self._lock:
            self._heavy -= 1
            self._client_heavy[client] -= 1
            if self._client_heavy[client] <= 0:
                del self._client_heavy[client]

    def _top_up(self) -> None:
        """Start replacements for retired processes in the background, up to the fast lane's size."""

        def fill() -> None:
            try:
                while True:
                    with self._lock:
                        if self._closed or len(self._idle) >= self.settings.fast:
                            return
                    child = self._spawn()
                    with self._lock:
                        if not self._closed and len(self._idle) < self.settings.fast:
                            self._idle.append(child)
                            continue
                    child.kill()
                    return
            finally:
                with self._lock:
                    self._filling = False

        with self._lock:
            if self._closed or self._filling or len(self._idle) >= self.settings.fast:
                return
            self._filling = True
        threading.Thread(target=fill, daemon=True, name="cytokg-query-top-up").start()

    def close(self) -> None:
        """Stop every idle query process; running ones end with their queries."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()
