"""Run SPARQL queries in a child process that can be killed: a time limit that really stops the work.

A thread cannot interrupt pyoxigraph mid-query, so each web worker owns one child process with its
own read-only store. The parent waits at most ``timeout`` seconds; past that it kills the child,
starts a fresh one, and reports the timeout. Results are serialized in the child with a row limit.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Answer", "QueryExecutor", "QueryTimeout", "serialize_answer"]


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


@dataclass(frozen=True)
class Answer:
    """A serialized answer, or an error the client caused."""

    status: int
    media: str
    body: bytes
    rows: int = 0
    truncated: bool = False
    error: str = ""


def serialize_answer(
    answer: Any, result_media: str | None, graph_media: str | None, max_rows: int
) -> tuple[str, str, bytes, int, bool]:
    """Serialize a pyoxigraph answer: (status, media or "results"/"graph" for a 406, body, rows, truncated).

    SELECT/ASK become ``result_media``, CONSTRUCT/DESCRIBE ``graph_media``; at most ``max_rows`` rows or triples.
    Shared by the embedded executor's child process and the external-store executor (remote.py).
    """
    import pyoxigraph

    from .formats import GRAPH_TYPES
    from .results import serialize_boolean, serialize_solutions

    if isinstance(answer, pyoxigraph.QueryBoolean):
        if result_media is None:
            return ("406", "results", b"", 0, False)
        return ("200", result_media, serialize_boolean(bool(answer), result_media), 1, False)
    if isinstance(answer, pyoxigraph.QuerySolutions):
        if result_media is None:
            return ("406", "results", b"", 0, False)
        names = [v.value for v in answer.variables]
        rows: list[list[Any]] = []
        truncated = False
        for solution in answer:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([solution[name] for name in names])
        return ("200", result_media, serialize_solutions(names, rows, result_media), len(rows), truncated)
    if graph_media is None:
        return ("406", "graph", b"", 0, False)
    triples: list[Any] = []
    truncated = False
    for triple in answer:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    body = pyoxigraph.serialize(triples, format=GRAPH_TYPES[graph_media]) or b""
    return ("200", graph_media, body, len(triples), truncated)


_PR_SET_PDEATHSIG = 1


def _die_with(parent_pid: int) -> None:
    """Have Linux kill this process when its parent dies: a killed web worker leaves no query running."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)


def _serve(connection: multiprocessing.connection.Connection, store_dir: str, max_rows: int, parent_pid: int) -> None:
    _die_with(parent_pid)
    import pyoxigraph

    from .store import ASSERTED_GRAPH

    store = pyoxigraph.Store.read_only(store_dir)
    while True:
        try:
            query, result_media, graph_media, default_graphs, named_graphs, base_iri, union = connection.recv()
        except EOFError:
            return
        try:
            # With ``union`` (no dataset in the request or the query), the default graph is the asserted
            # graph plus the reasoner's inferred memberships, so `?x a cyto:GP130FamilyCytokine` finds IL-11.
            dataset: dict[str, Any] = {"use_default_graph_as_union": union}
            if default_graphs:
                # The asserted graph's name in external stores means this store's default graph.
                dataset["default_graph"] = [
                    pyoxigraph.DefaultGraph() if iri == ASSERTED_GRAPH else pyoxigraph.NamedNode(iri)
                    for iri in default_graphs
                ]
            if named_graphs:
                dataset["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in named_graphs]
            answer = store.query(query, base_iri=base_iri, **dataset)
            connection.send(serialize_answer(answer, result_media, graph_media, max_rows))
        except SyntaxError as error:
            connection.send(("400", "error", str(error).encode(), 0, False))
        except (OSError, ValueError, RuntimeError) as error:
            connection.send(("500", "error", str(error).encode(), 0, False))


class QueryExecutor:
    """One killable child process per web worker, started lazily."""

    def __init__(self, store_dir: Path, timeout: float, max_rows: int) -> None:
        self.store_dir = str(store_dir)
        self.timeout = timeout
        self.max_rows = max_rows
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> multiprocessing.connection.Connection:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve,
            args=(child, self.store_dir, self.max_rows, os.getpid()),
            daemon=True,
            name="cytokg-query",
        )
        self._process.start()
        child.close()
        self._connection = parent
        return parent

    def _ready(self) -> multiprocessing.connection.Connection:
        """The live child's connection, starting a child first if there is none (call with the lock held)."""
        if self._connection is None or self._process is None or not self._process.is_alive():
            self._kill()
            return self._start()
        return self._connection

    @property
    def pid(self) -> int | None:
        """The query process's PID, if one is running."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child now, so it opens its store while the web worker finishes starting."""
        with self._lock:
            self._ready()

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._connection is not None:
            self._connection.close()
        self._process = None
        self._connection = None

    def run(
        self,
        query: str,
        result_media: str | None,
        graph_media: str | None,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        base_iri: str | None = None,
        *,
        union: bool = False,
    ) -> Answer:
        """Run ``query``; serialize SELECT/ASK as ``result_media``, CONSTRUCT/DESCRIBE as ``graph_media``.

        ``default_graphs`` and ``named_graphs`` (the protocol's default-graph-uri and named-graph-uri)
        select graphs inside the store; nothing is ever fetched.

        :raises QueryTimeout: the time limit passed; the child was killed and will be replaced.
        """
        with self._lock:
            connection = self._ready()
            connection.send((query, result_media, graph_media, default_graphs, named_graphs, base_iri, union))
            if not connection.poll(self.timeout):
                self._kill()
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
            try:
                status, media, body, rows, truncated = connection.recv()
            except (EOFError, OSError):
                self._kill()
                return Answer(500, "error", b"", error="the query process died; try again")
        if media == "error":
            return Answer(int(status), media, b"", error=body.decode())
        return Answer(int(status), media, body, rows, truncated)

    def close(self) -> None:
        """Stop the child process."""
        with self._lock:
            self._kill()
