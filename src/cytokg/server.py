"""The CytoKG web app: a SPARQL 1.1 endpoint over the embedded Oxigraph store (or an external one), pages, downloads."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, url_for
from rdflib import Graph

from .executor import QueryExecutor, QueryTimeout
from .formats import FORMAT_ALIASES, GRAPH_TYPES, RESULT_TYPES, negotiate
from .pages import get_pages_blueprint, local_path
from .publish import current_release
from .release import DOWNLOAD_FILES, VOID_FILE
from .remote import Credentials, Graphs, RemoteExecutor, connect
from .safety import QueryRefused, inspect_query, syntax_error
from .search import SEARCH_FILE, SearchIndex, write_index
from .service import service_description
from .stats import compute_stats
from .store import ASSERTED_GRAPH, INFERRED_GRAPH, Queryable, open_store

__all__ = ["create_app"]

log = logging.getLogger("cytokg.server")

#: Media types of the downloadable release files.
DOWNLOAD_TYPES = {
    ".ttl": "text/turtle",
    ".owl": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".tsv": "text/tab-separated-values",
}
DEFAULTS: dict[str, Any] = {
    "MAX_QUERY_BYTES": 1_000_000,
    "ALLOWED_SERVICES": frozenset(),
    "QUERY_TIMEOUT": 30.0,
    "MAX_ROWS": 100_000,
    "RATE_LIMIT": 60,  # requests per client per RATE_WINDOW seconds, per worker process
    "RATE_WINDOW": 10.0,
    "BACKEND": None,  # sparql+http(s)://… to query an external store instead of build/oxigraph
    "BACKEND_GRAPHS": (ASSERTED_GRAPH, INFERRED_GRAPH),
    "BACKEND_CREDENTIALS": (None, None, None),  # user, password, bearer token
}
#: Marks a truncated answer in the SPARQL JSON/XML head (the response header says it for every format).
LIMIT_LINK = "https://w3id.org/cytokg/vocab/resultLimit"
_READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"
#: Media type → rdflib serializer, for the service description.
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps({"error": message, "status": status})
    return Response(body, status=status, mimetype="application/json", headers=dict(headers or {}))


_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"


def _query_text() -> str | None:
    if request.method == "POST" and request.mimetype == "application/sparql-update":
        raise QueryRefused(_READ_ONLY, 403)
    if "update" in request.values:
        raise QueryRefused(_READ_ONLY, 403)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.method == "POST" and charset not in ("utf-8", "utf8"):
        raise QueryRefused(f"the request is {charset}; send SPARQL as UTF-8", 400)
    if request.method == "POST" and request.mimetype == _DIRECT:
        return request.get_data().decode("utf-8")
    if request.method == "POST" and request.mimetype != _FORM:
        raise QueryRefused(f"POST a query as {_FORM} (query=...) or as {_DIRECT}", 415)
    if len(request.values.getlist("query")) > 1:
        raise QueryRefused("exactly one 'query' parameter is allowed", 400)
    return request.values.get("query")


def _preferences() -> tuple[str | None, str | None]:
    wanted = request.values.get("format")
    accept = FORMAT_ALIASES.get(wanted, wanted) if wanted else request.headers.get("Accept")
    return negotiate(accept, list(RESULT_TYPES)), negotiate(accept, list(GRAPH_TYPES))


def _mark_truncated(body: bytes, media: str, limit: int) -> bytes:
    link = f"{LIMIT_LINK}#truncated-at-{limit}"
    if media == "application/sparql-results+json":
        data = json.loads(body)
        data["head"]["link"] = [link]
        return json.dumps(data).encode()
    if media == "application/sparql-results+xml":
        return body.replace(b"<head>", f'<head><link href="{link}"/>'.encode(), 1)
    return body


class _RateLimiter:
    """A sliding-window request counter per client address (per worker process)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.seen: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int:
        """0 if the request may go ahead, else the seconds to wait."""
        now = time.monotonic()
        times = self.seen.setdefault(client, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, int(self.window - (now - times[0])) + 1)
        times.append(now)
        return 0


def _open_backend(build_dir: Path, config: Mapping[str, Any]) -> tuple[Queryable, QueryExecutor | RemoteExecutor]:
    """The embedded store and its killable executor, or an external store (``BACKEND``) and its executor."""
    if not config["BACKEND"]:
        executor = QueryExecutor(build_dir / "oxigraph", config["QUERY_TIMEOUT"], config["MAX_ROWS"])
        executor.start()  # the query process starts beside the worker's own start-up: a faster first answer
        return open_store(build_dir / "oxigraph"), executor
    store = connect(
        config["BACKEND"],
        Graphs(*config["BACKEND_GRAPHS"]),
        Credentials(*config["BACKEND_CREDENTIALS"]),
        config["QUERY_TIMEOUT"],
    )
    return store, RemoteExecutor(store, config["MAX_ROWS"])


def _search_file(build_dir: Path, store: Queryable, app: Flask) -> Path:
    """The build's shared search index; a bare store folder gets a private one, removed with the app."""
    path = build_dir / SEARCH_FILE
    if path.exists():
        return path
    folder = tempfile.mkdtemp(prefix="cytokg-search-")
    weakref.finalize(app, shutil.rmtree, folder, ignore_errors=True)
    write_index(store, Path(folder) / SEARCH_FILE)
    return Path(folder) / SEARCH_FILE


def create_app(build_dir: Path, queries_dir: Path, config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app over the store in ``build_dir/oxigraph`` (opened once per worker) or the ``BACKEND`` store.

    Downloads are always the release files in ``build_dir``.
    """
    build_dir = current_release(build_dir)  # this worker reads one release, whatever later builds switch to
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_QUERY_BYTES"]
    store, executor = _open_backend(build_dir, app.config)
    counts = compute_stats(store, queries_dir / "stats")
    limiter = _RateLimiter(app.config["RATE_LIMIT"], app.config["RATE_WINDOW"])
    app.extensions["cytokg.executor"] = executor
    index = SearchIndex(_search_file(build_dir, store, app))
    void_file = build_dir / VOID_FILE  # absent from a bare store folder: then no linksets are described
    linksets = Graph().parse(void_file, format="turtle") if void_file.exists() else Graph()
    app.register_blueprint(get_pages_blueprint(store, queries_dir))
    info = "SELECT ?v WHERE { <https://w3id.org/cytokg/cytokg.owl> <http://www.w3.org/2002/07/owl#versionInfo> ?v }"
    version = next((row["v"].value for row in store.query(info)), "unknown")

    @app.before_request
    def _start_clock() -> Response | None:
        g.started = time.perf_counter()
        g.rows = ""
        if request.path == "/sparql" and request.method != "OPTIONS":
            wait = limiter.retry_after(request.remote_addr or "-")
            if wait:
                return _error(429, "too many requests; slow down", {"Retry-After": str(wait)})
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        elapsed = 1000 * (time.perf_counter() - g.get("started", time.perf_counter()))
        line = {"method": request.method, "path": request.path, "status": response.status_code}
        log.info(json.dumps(line | {"ms": round(elapsed, 1), "rows": g.get("rows", "")}))
        return response

    @app.errorhandler(413)
    def _too_large(_: Exception) -> Response:
        return _error(413, f"request larger than {app.config['MAX_QUERY_BYTES']} bytes")

    @app.errorhandler(404)
    def _not_found(_: Exception) -> Response:
        return _error(404, f"no such page: {request.path}")

    @app.errorhandler(405)
    def _not_allowed(_: Exception) -> Response:
        return _error(405, f"{request.method} is not allowed on {request.path}")

    @app.errorhandler(Exception)
    def _internal(error: Exception) -> Response:
        log.exception("unhandled error on %s", request.path, exc_info=error)
        return _error(500, "internal error; the server keeps serving")

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        try:
            text = _query_text()
        except UnicodeDecodeError:
            return _error(400, "the query is not valid UTF-8")
        except QueryRefused as error:
            return _error(error.status, str(error))
        if not text:
            media = negotiate(request.headers.get("Accept"), ["text/turtle", "text/html", *GRAPH_TYPES])
            if media == "text/html":
                return redirect(url_for("pages.query_page"))
            if media is None:
                return _error(406, "acceptable types: text/turtle, text/html, " + ", ".join(GRAPH_TYPES))
            description = service_description(store, request.base_url, request.url_root, linksets)
            body = description.serialize(format=_RDFLIB_FORMATS[media], encoding="utf-8")
            return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
        default_graphs = tuple(request.args.getlist("default-graph-uri") + request.form.getlist("default-graph-uri"))
        named_graphs = tuple(request.args.getlist("named-graph-uri") + request.form.getlist("named-graph-uri"))
        if any(not iri.startswith(("http://", "https://", "urn:")) for iri in default_graphs + named_graphs):
            return _error(400, "default-graph-uri and named-graph-uri must be absolute IRIs of graphs in the store")
        try:
            has_dataset = inspect_query(text, app.config["ALLOWED_SERVICES"])
        except SyntaxError as error:
            return _error(400, f"malformed query: {error}")
        except QueryRefused as error:
            return _error(error.status, str(error))
        result_media, graph_media = _preferences()
        try:
            union = not (has_dataset or default_graphs or named_graphs)
            answer = executor.run(
                text, result_media, graph_media, default_graphs, named_graphs, request.base_url, union=union
            )
        except QueryTimeout as error:
            return _error(503, str(error), {"Retry-After": "5"})
        if answer.error:
            message = syntax_error(text) if answer.status in {400, 502} else None
            if message:  # a malformed query the fast path let through: the same message as any other
                return _error(400, f"malformed query: {message}")
            return _error(answer.status, answer.error)
        if answer.status == 406:
            offered = RESULT_TYPES if answer.media == "results" else GRAPH_TYPES
            return _error(406, "acceptable types: " + ", ".join(offered))
        g.rows = answer.rows
        body, headers = answer.body, {}
        if answer.truncated:
            body = _mark_truncated(body, answer.media, app.config["MAX_ROWS"])
            headers["CytoKG-Result-Limit"] = f"truncated at {app.config['MAX_ROWS']} rows"
        return Response(body, content_type=f"{answer.media}; charset=utf-8", headers=headers)

    @app.route("/api/search")
    def api_search() -> Response:
        query = request.args.get("q", "")
        try:
            limit = max(1, min(int(request.args.get("limit", "20")), 100))
        except ValueError:
            return _error(400, "limit must be a number")
        hits = [hit.__dict__ for hit in index.search(query, limit)]
        return Response(json.dumps({"query": query, "results": hits}), mimetype="application/json")

    @app.route("/search")
    def search_page() -> str:
        query = request.args.get("q", "")
        return render_template("search.html", query=query, hits=index.search(query, 50), local_path=local_path)

    @app.route("/healthz")
    def healthz() -> Response:
        ok = bool(store.query("ASK { ?s ?p ?o }"))
        return Response(json.dumps({"status": "ok" if ok else "empty"}), mimetype="application/json")

    @app.route("/")
    def home() -> str:
        return render_template("home.html", counts=counts)

    @app.route("/downloads")
    def downloads() -> str:
        files = []
        for name in DOWNLOAD_FILES:
            path = build_dir / name
            if path.exists():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                media = DOWNLOAD_TYPES[path.suffix]
                files.append({"name": name, "size": path.stat().st_size, "sha256": digest, "media": media})
        return render_template("downloads.html", files=files, version=version)

    @app.route("/downloads/<name>")
    def download(name: str) -> Response:
        if name not in DOWNLOAD_FILES:
            abort(404)
        path = build_dir / name
        packed = build_dir / f"{name}.gz"
        if "gzip" in request.headers.get("Accept-Encoding", "") and packed.exists():
            response = send_file(packed, mimetype=DOWNLOAD_TYPES[path.suffix], conditional=True, etag=True)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = send_file(path, mimetype=DOWNLOAD_TYPES[path.suffix], conditional=True, etag=True)
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return app
