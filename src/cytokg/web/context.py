"""What the routes share, made once per app: the executor, client limits, search index and the release's statistics.

``create_app`` stores one ``Site`` in ``app.extensions["cytokg"]``; routes reach it with ``site()``.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app, request
from rdflib import Graph

from cytokg.backends.base import Answer, Executor, Job
from cytokg.backends.embedded import QueryPool
from cytokg.backends.lanes import LaneSettings
from cytokg.backends.threads import QueryThreads
from cytokg.release import VOID_FILE
from cytokg.search import SEARCH_FILE, SearchIndex, write_index
from cytokg.sparql.formats import RDFLIB_SERIALIZERS
from cytokg.statistics import Rows, Statistics, compute_statistics, read_statistics
from cytokg.store import open_store
from cytokg.web.fairness import ClientLimits
from cytokg.web.service import service_description

__all__ = ["SELF", "Site", "client", "open_executor", "site"]

#: The client name the app's own start-up queries run under.
SELF = "cytokg"


def _lanes(config: Mapping[str, Any]) -> LaneSettings:
    return LaneSettings(
        timeout=config["QUERY_TIMEOUT"],
        max_rows=config["MAX_ROWS"],
        allowed_services=frozenset(config["ALLOWED_SERVICES"]),
        fast=config["FAST_LANE"],
        heavy=config["HEAVY_LANE"],
        fast_budget=config["FAST_BUDGET"],
        fast_slice=config["FAST_SLICE"],
        queue_wait=config["QUEUE_WAIT"],
        client_heavy=config["CLIENT_HEAVY"],
        memory=config["QUERY_MEMORY"] * 1024 * 1024,
    )


def open_executor(build_dir: Path, config: Mapping[str, Any]) -> Executor:
    """The pool of query processes over ``build_dir/oxigraph`` (with ``QUERY_THREADS``, query threads beside
    it), or the executor of the ``BACKEND`` store."""
    lanes = _lanes(config)
    if not config["BACKEND"]:
        store_dir = build_dir / "oxigraph"
        if not store_dir.exists():
            raise FileNotFoundError(f"{store_dir}: no store here; run `cytokg build` first")
        pool = QueryPool(store_dir, lanes)
        pool.start()  # with query threads too: every query a thread may not run, or gave up, goes there at once
        if config["QUERY_THREADS"]:
            return QueryThreads(store_dir, pool, config["RETIRE"], config["QUIET_FOR"])
        return pool
    from cytokg.backends.remote import Credentials, Graphs, RemoteExecutor, connect  # requests: only for a backend

    store = connect(
        config["BACKEND"],
        Graphs(*config["BACKEND_GRAPHS"]),
        Credentials(*config["BACKEND_CREDENTIALS"]),
        config["QUERY_TIMEOUT"],
    )
    return RemoteExecutor(store, QueryPool(None, lanes), config["MAX_ROWS"])


def _search_file(build_dir: Path, app: Flask) -> Path:
    """The build's shared search index; a bare store folder gets a private one, removed with the app."""
    path = build_dir / SEARCH_FILE
    if path.exists():
        return path
    folder = tempfile.mkdtemp(prefix="cytokg-search-")
    weakref.finalize(app, shutil.rmtree, folder, ignore_errors=True)
    write_index(open_store(build_dir / "oxigraph"), Path(folder) / SEARCH_FILE)
    return Path(folder) / SEARCH_FILE


class Site:
    """The release folder, the executor, the client limits, and the release's statistics (read at start)."""

    def __init__(self, app: Flask, build_dir: Path, queries_dir: Path, executor: Executor) -> None:
        config = app.config
        self.config = config
        self.queries_dir = queries_dir
        self.executor = executor
        self.limits = ClientLimits(
            config["CLIENT_PARALLEL"], config["CLIENT_BUDGET"], config["BUDGET_WINDOW"], config["LIMITER_STORAGE"]
        )
        self.build_dir = build_dir
        self.index = SearchIndex(_search_file(build_dir, app))
        void_file = build_dir / VOID_FILE  # absent from a bare store folder: then no linksets are described
        self.linksets = Graph().parse(void_file, format="turtle") if void_file.exists() else Graph()
        # A release built before statistics.json existed is counted once now, through the query pool.
        self.statistics: Statistics = read_statistics(build_dir) or compute_statistics(
            self._rows, queries_dir, build_dir
        )
        self.counts = self.statistics.counts
        self.version = self.statistics.version
        self.describe = lru_cache(maxsize=16)(self._describe)

    def run(self, job: Job, client: str) -> Answer:
        """Run ``job`` through the executor; an error answer to the app's own query is a bug (500)."""
        answer = self.executor.run(job, client)
        if answer.error and job.rows:
            raise RuntimeError(f"the app's own query failed: {answer.error}")
        return answer

    def run_page(self, text: str, iri: str | None, graph_media: str | None) -> Answer:
        """Run a page's fixed query for the requesting client, with ``iri`` bound to ``?entity`` as a term."""
        bindings = (("entity", iri),) if iri else ()
        answer = self.run(Job(text, None, graph_media, bindings=bindings, rows=graph_media is None), client())
        if answer.error:
            raise RuntimeError(f"a page's query failed: {answer.error}")
        return answer

    def _rows(self, query: str) -> Rows:
        """The rows of one of the app's own queries, run through the executor."""
        return [
            [term.value if term is not None else "" for term in row]
            for row in self.run(Job(query, rows=True), SELF).solutions
        ]

    def _describe(self, endpoint: str, root: str, media: str) -> bytes:
        statistics = self.statistics
        graph = service_description(
            statistics.void_counts, endpoint, root, self.linksets, statistics.partitions, statistics.example_triples
        )
        return graph.serialize(format=RDFLIB_SERIALIZERS[media], encoding="utf-8")

    def close(self) -> None:
        """Stop the query processes."""
        self.executor.close()


def site() -> Site:
    """The ``Site`` of the app serving this request."""
    return cast(Site, current_app.extensions["cytokg"])


def client() -> str:
    """The requesting client's key for fair shares (its address, or its network for IPv6)."""
    return ClientLimits.client_key(request.remote_addr or "-")
