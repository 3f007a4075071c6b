"""The CytoKG web app: a SPARQL 1.1 endpoint over the embedded Oxigraph store (or an external one), pages, downloads.

Every query the app runs — the endpoint's, and the pages', stats', search's and service description's own —
goes through one executor (``backends.base.Executor``): vetted, time-limited and killable. Request text never
becomes query text; pages bind their entity as an RDF term.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app

from cytokg.backends.base import Executor
from cytokg.publish import current_release
from cytokg.store import ASSERTED_GRAPH, INFERRED_GRAPH
from cytokg.web.context import Site, open_executor
from cytokg.web.described import described
from cytokg.web.downloads import downloads
from cytokg.web.limits import limits
from cytokg.web.pages import pages
from cytokg.web.query_page import query_page
from cytokg.web.search import search
from cytokg.web.sparql import sparql
from cytokg.web.vocabulary import vocabulary

__all__ = ["DEFAULTS", "create_app"]

DEFAULTS: dict[str, Any] = {
    "MAX_QUERY_BYTES": 65_536,  # the query text; a form-encoded body may be up to three times larger
    "MAX_NESTING": 32,  # brackets, braces and parentheses, outside strings
    "ALLOWED_SERVICES": frozenset(),
    "QUERY_TIMEOUT": 30.0,
    "QUERY_MEMORY": 2048,  # MB of data each query process may hold (0: no limit)
    "MAX_ROWS": 100_000,
    "QUERY_THREADS": False,  # run cheap queries on threads of this process (backends/threads.py)
    "QUIET_FOR": 0.0,  # seconds from the start during which every query runs in a query process
    "RETIRE": None,  # called (once) when this process should be replaced: set by web/front.py
    "FAST_LANE": 4,  # places for queries in their first FAST_BUDGET seconds (query processes or threads)
    "HEAVY_LANE": 2,  # queries allowed to run longer, at a lower CPU priority
    "FAST_BUDGET": 0.25,  # seconds of CPU a query may use in the fast lane
    "FAST_SLICE": 0.02,  # the fast-lane CPU time a query gets while other clients wait for the lane
    "QUEUE_WAIT": 3.0,  # seconds a query may wait for the fast lane before a 503
    "CLIENT_HEAVY": 1,  # long-running queries per client at once
    "CLIENT_PARALLEL": 4,  # requests per client at once
    "CLIENT_BUDGET": 60.0,  # seconds of server time per client per BUDGET_WINDOW (as the Wikidata Query Service)
    "BUDGET_WINDOW": 60,
    "LIMITER_STORAGE": "memory://",  # a `limits` storage URI (redis://…) to share budgets between servers
    "BACKEND": None,  # sparql+http(s)://… to query an external store instead of build/oxigraph
    "BACKEND_GRAPHS": (ASSERTED_GRAPH, INFERRED_GRAPH),
    "BACKEND_CREDENTIALS": (None, None, None),  # user, password, bearer token
}


def _favicon() -> Response:
    """The site icon, for browsers and tools that ask for ``/favicon.ico`` without reading the page's link."""
    return current_app.send_static_file("favicon.svg")


def create_app(
    build_dir: Path, queries_dir: Path, settings: Mapping[str, Any] | None = None, executor: Executor | None = None
) -> Flask:
    """The app over the current release in ``build_dir``: its store, or ``executor`` if one is given.

    ``settings`` override ``DEFAULTS``; without an executor, one is opened from them (the embedded store, or
    the ``BACKEND`` store). Downloads are always the release files. ``app.extensions["cytokg"].close()``
    stops the query processes.
    """
    build_dir = current_release(build_dir)  # this server reads one release, whatever later builds switch to
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(settings or {})
    app.config["MAX_CONTENT_LENGTH"] = 3 * app.config["MAX_QUERY_BYTES"] + 1024
    backend = executor or open_executor(build_dir, app.config)
    app.extensions["cytokg"] = Site(app, build_dir, queries_dir, backend)
    for blueprint in (limits, sparql, pages, query_page, search, downloads, vocabulary, described):
        app.register_blueprint(blueprint)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    return app
