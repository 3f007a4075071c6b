"""The CytoKG web app: a SPARQL 1.1 endpoint over the embedded Oxigraph store (or an external one), pages, downloads.

Every query the app runs — the endpoint's, and the pages', stats', search's and service description's own —
goes through one executor (``executor.QueryPool`` or ``remote.RemoteExecutor``): vetted, time-limited and
killable. Request text never becomes query text; pages bind their entity as an RDF term.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, g, redirect, render_template, request, send_file, url_for
from rdflib import Graph
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from cytokg.backends.embedded import Answer, Busy, Job, LaneSettings, QueryPool, QueryTimeout
from cytokg.backends.remote import Credentials, Graphs, RemoteExecutor, connect
from cytokg.publish import current_release
from cytokg.release import DOWNLOAD_FILES, VOID_FILE
from cytokg.search import SEARCH_FILE, SearchIndex, write_index
from cytokg.sparql.formats import FORMAT_ALIASES, GRAPH_TYPES, RESULT_TYPES, negotiate
from cytokg.sparql.safety import nesting_depth
from cytokg.store import ASSERTED_GRAPH, INFERRED_GRAPH, open_store
from cytokg.web.fairness import ClientLimits
from cytokg.web.pages import get_pages_blueprint, local_path
from cytokg.web.service import COUNT_QUERIES, service_description

__all__ = ["DEFAULTS", "create_app"]

log = logging.getLogger("cytokg.web")

#: Media types of the downloadable release files.
DOWNLOAD_TYPES = {
    ".ttl": "text/turtle",
    ".owl": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".tsv": "text/tab-separated-values",
}
DEFAULTS: dict[str, Any] = {
    "MAX_QUERY_BYTES": 65_536,  # the query text; a form-encoded body may be up to three times larger
    "MAX_NESTING": 32,  # brackets, braces and parentheses, outside strings
    "ALLOWED_SERVICES": frozenset(),
    "QUERY_TIMEOUT": 30.0,
    "MAX_ROWS": 100_000,
    "FAST_LANE": 4,  # query processes for queries in their first FAST_BUDGET seconds
    "HEAVY_LANE": 2,  # queries allowed to run longer, at a lower CPU priority
    "FAST_BUDGET": 0.25,  # seconds of CPU a query may use in the fast lane
    "FAST_SLICE": 0.02,  # the fast-lane time a query gets while others wait for the lane
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
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_VERSION = "SELECT ?v WHERE { <https://w3id.org/cytokg/cytokg.owl> <http://www.w3.org/2002/07/owl#versionInfo> ?v }"
#: The client name the app's own start-up queries run under.
_SELF = "cytokg"


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps({"error": message, "status": status})
    return Response(body, status=status, mimetype="application/json", headers=dict(headers or {}))


class BadRequest(Exception):
    """A request the endpoint refuses with a 4xx and a message."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class ProtocolRequest:
    """A SPARQL protocol request's query and parameters (from the URL, and a form or direct POST body)."""

    query: str | None
    params: MultiDict[str, str]

    def preferences(self) -> tuple[str | None, str | None]:
        """The result media type (SELECT/ASK) and graph media type (CONSTRUCT/DESCRIBE) the client asks for."""
        wanted = self.params.get("format")
        accept = FORMAT_ALIASES.get(wanted, wanted) if wanted else request.headers.get("Accept")
        return negotiate(accept, list(RESULT_TYPES)), negotiate(accept, list(GRAPH_TYPES))


def _form(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Decode ``a=b&c=d`` strictly: text that is not UTF-8 is refused, not replaced with U+FFFD."""
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the {where} is not valid UTF-8") from error


def _protocol_request(max_bytes: int) -> ProtocolRequest:
    """Read a GET, form POST or direct POST query, checking size and encoding before anything else."""
    params: MultiDict[str, str] = MultiDict(_form(request.query_string, "query string"))
    query: str | None = None
    if request.method == "POST":
        if request.mimetype == "application/sparql-update":
            raise BadRequest(_READ_ONLY, 403)
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise BadRequest(f"the request is {charset}; send SPARQL as UTF-8")
        if request.mimetype not in (_FORM, _DIRECT):
            raise BadRequest(f"POST a query as {_FORM} (query=...) or as {_DIRECT}", 415)
        body = _body(3 * max_bytes + 1024)  # a form-encoded query may be three times its text
        if request.mimetype == _DIRECT:
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise BadRequest("the query is not valid UTF-8") from error
        else:
            params.update(_form(body, "form body"))
    if "update" in params:
        raise BadRequest(_READ_ONLY, 403)
    if query is None:
        if len(params.getlist("query")) > 1:
            raise BadRequest("exactly one 'query' parameter is allowed")
        query = params.get("query")
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise BadRequest(f"the query is larger than {max_bytes} bytes", 413)
    return ProtocolRequest(query, params)


def _body(limit: int) -> bytes:
    """The request body, at most ``limit`` bytes: 413 beyond, whether or not it is chunked."""
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(f"request larger than {limit} bytes", 413)
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise BadRequest(f"request larger than {limit} bytes", 413)
    return data


def _mark_truncated(body: bytes, media: str, limit: int) -> bytes:
    link = f"{LIMIT_LINK}#truncated-at-{limit}"
    if media == "application/sparql-results+json":
        data = json.loads(body)
        data["head"]["link"] = [link]
        return json.dumps(data).encode()
    if media == "application/sparql-results+xml":
        return body.replace(b"<head>", f'<head><link href="{link}"/>'.encode(), 1)
    return body


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
    )


def _open_executor(build_dir: Path, config: Mapping[str, Any]) -> QueryPool | RemoteExecutor:
    """The pool of query processes over ``build_dir/oxigraph``, or the executor of an external store."""
    lanes = _lanes(config)
    if not config["BACKEND"]:
        store_dir = build_dir / "oxigraph"
        if not store_dir.exists():
            raise FileNotFoundError(f"{store_dir}: no store here; run `cytokg build` first")
        pool = QueryPool(store_dir, lanes)
        pool.start()
        return pool
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


@dataclass(frozen=True)
class _Download:
    name: str
    size: int
    sha256: str
    media: str


class Downloads:
    """The release files and their SHA-256 digests, computed once per file version (not per request)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self._digests: dict[tuple[str, int, int, int], str] = {}
        self._lock = threading.Lock()

    def listing(self) -> list[_Download]:
        """Every release file present, with its size and digest."""
        files = []
        for name in DOWNLOAD_FILES:
            path = self.build_dir / name
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            key = (name, info.st_ino, info.st_size, info.st_mtime_ns)
            with self._lock:
                digest = self._digests.get(key)
            if digest is None:
                with path.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                with self._lock:
                    self._digests = {k: v for k, v in self._digests.items() if k[0] != name} | {key: digest}
            files.append(_Download(name, info.st_size, digest, DOWNLOAD_TYPES[path.suffix]))
        return files


class Endpoint:
    """What the routes share: the executor, the client limits, and facts computed once at start."""

    def __init__(self, app: Flask, build_dir: Path, queries_dir: Path) -> None:
        config = app.config
        self.config = config
        self.executor = _open_executor(build_dir, config)
        self.limits = ClientLimits(
            config["CLIENT_PARALLEL"], config["CLIENT_BUDGET"], config["BUDGET_WINDOW"], config["LIMITER_STORAGE"]
        )
        self.downloads = Downloads(build_dir)
        self.index = SearchIndex(_search_file(build_dir, app))
        void_file = build_dir / VOID_FILE  # absent from a bare store folder: then no linksets are described
        self.linksets = Graph().parse(void_file, format="turtle") if void_file.exists() else Graph()
        self.counts = {
            path.stem: self._count(path.read_text(encoding="utf-8"))
            for path in sorted((queries_dir / "stats").glob("*.rq"))
        }
        self.void_counts = {predicate: self._count(query) for predicate, query in COUNT_QUERIES.items()}
        rows = self.run(Job(_VERSION, rows=True), _SELF).solutions
        self.version = rows[0][0].value if rows and rows[0][0] is not None else "unknown"
        self.describe = lru_cache(maxsize=16)(self._describe)

    def run(self, job: Job, client: str) -> Answer:
        """Run ``job`` through the executor; an error answer to the app's own query is a bug (500)."""
        answer = self.executor.run(job, client)
        if answer.error and job.rows:
            raise RuntimeError(f"the app's own query failed: {answer.error}")
        return answer

    def _count(self, query: str) -> int:
        rows = self.run(Job(query, rows=True), _SELF).solutions
        return int(rows[0][0].value) if rows and rows[0] and rows[0][0] is not None else 0

    def _describe(self, endpoint: str, root: str, media: str) -> bytes:
        graph = service_description(self.void_counts, endpoint, root, self.linksets)
        return graph.serialize(format=_RDFLIB_FORMATS[media], encoding="utf-8")

    def close(self) -> None:
        """Stop the query processes."""
        self.executor.close()


def _client() -> str:
    return ClientLimits.client_key(request.remote_addr or "-")


def _install_limits(app: Flask, endpoint: Endpoint) -> None:
    """Count every request against its client's share: parallel requests and seconds of server time."""

    @app.before_request
    def _admit() -> Response | None:
        g.started = time.perf_counter()
        g.rows = ""
        if request.method == "OPTIONS" or request.endpoint in ("static", "healthz"):
            return None
        wait = endpoint.limits.admit(_client())
        if wait:
            return _error(429, wait.message, {"Retry-After": str(wait.retry_after)})
        g.admitted = True
        return None

    @app.teardown_request
    def _account(_: BaseException | None) -> None:
        if g.pop("admitted", False):
            endpoint.limits.release(_client(), time.perf_counter() - g.started)

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


def _install_errors(app: Flask) -> None:
    """Every error is a JSON answer with its status; the server keeps serving."""

    @app.errorhandler(Busy)
    def _busy(error: Busy) -> Response:
        return _error(error.status, str(error), {"Retry-After": str(error.retry_after)})

    @app.errorhandler(QueryTimeout)
    def _timeout(error: QueryTimeout) -> Response:
        return _error(503, str(error), {"Retry-After": "5"})

    @app.errorhandler(BadRequest)
    def _bad(error: BadRequest) -> Response:
        return _error(error.status, str(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        messages = {
            404: f"no such page: {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
            413: f"request larger than {app.config['MAX_QUERY_BYTES']} bytes",
        }
        return _error(status, messages.get(status, error.description or error.name))

    @app.errorhandler(Exception)
    def _internal(error: Exception) -> Response:
        log.exception("unhandled error on %s", request.path, exc_info=error)
        return _error(500, "internal error; the server keeps serving")


def _sparql(endpoint: Endpoint) -> Response:
    config = endpoint.config
    protocol = _protocol_request(config["MAX_QUERY_BYTES"])
    text = protocol.query
    if not text:
        media = negotiate(request.headers.get("Accept"), ["text/turtle", "text/html", *GRAPH_TYPES])
        if media == "text/html":
            return redirect(url_for("pages.query_page"))  # type: ignore[return-value]
        if media is None:
            return _error(406, "acceptable types: text/turtle, text/html, " + ", ".join(GRAPH_TYPES))
        body = endpoint.describe(request.base_url, request.url_root, media)
        return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
    default_graphs = tuple(protocol.params.getlist("default-graph-uri"))
    named_graphs = tuple(protocol.params.getlist("named-graph-uri"))
    if any(not iri.startswith(("http://", "https://", "urn:")) for iri in default_graphs + named_graphs):
        return _error(400, "default-graph-uri and named-graph-uri must be absolute IRIs of graphs in the store")
    depth = nesting_depth(text)
    if depth > config["MAX_NESTING"]:
        return _error(400, f"the query nests brackets {depth} deep; at most {config['MAX_NESTING']} are allowed")
    result_media, graph_media = protocol.preferences()
    job = Job(text, result_media, graph_media, default_graphs, named_graphs, request.base_url)
    answer = endpoint.run(job, _client())
    if answer.error:
        return _error(answer.status, answer.error)
    if answer.status == 406:
        offered = RESULT_TYPES if answer.media == "results" else GRAPH_TYPES
        return _error(406, "acceptable types: " + ", ".join(offered))
    g.rows = answer.rows
    body, headers = answer.body, {}
    if answer.truncated:
        body = _mark_truncated(body, answer.media, config["MAX_ROWS"])
        headers["CytoKG-Result-Limit"] = f"truncated at {config['MAX_ROWS']} rows"
    return Response(body, content_type=f"{answer.media}; charset=utf-8", headers=headers)


#: The longest search text (names and identifiers are far shorter).
_MAX_SEARCH = 200


def _search_text() -> str:
    _form(request.query_string, "query string")  # strict UTF-8
    text = request.args.get("q", "")
    if len(text) > _MAX_SEARCH:
        raise BadRequest(f"search text longer than {_MAX_SEARCH} characters")
    return text


def _install_routes(app: Flask, endpoint: Endpoint) -> None:
    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        return _sparql(endpoint)

    @app.route("/api/search")
    def api_search() -> Response:
        query = _search_text()
        try:
            limit = max(1, min(int(request.args.get("limit", "20")), 100))
        except ValueError:
            return _error(400, "limit must be a number")
        hits = [hit.__dict__ for hit in endpoint.index.search(query, limit)]
        return Response(json.dumps({"query": query, "results": hits}), mimetype="application/json")

    @app.route("/search")
    def search_page() -> str:
        query = _search_text()
        return render_template("search.html", query=query, hits=endpoint.index.search(query, 50), local_path=local_path)

    @app.route("/healthz")
    def healthz() -> Response:
        rows = endpoint.run(Job("ASK { ?s ?p ?o }", rows=True), _SELF).solutions
        ok = bool(rows) and rows[0][0] is not None and rows[0][0].value == "true"
        return Response(json.dumps({"status": "ok" if ok else "empty"}), mimetype="application/json")

    @app.route("/")
    def home() -> str:
        return render_template("home.html", counts=endpoint.counts)

    @app.route("/downloads")
    def downloads() -> str:
        files = [file.__dict__ for file in endpoint.downloads.listing()]
        return render_template("downloads.html", files=files, version=endpoint.version)

    @app.route("/downloads/<name>")
    def download(name: str) -> Response:
        if name not in DOWNLOAD_FILES:
            abort(404)
        path = endpoint.downloads.build_dir / name
        packed = path.with_name(f"{name}.gz")
        if "gzip" in request.headers.get("Accept-Encoding", "") and packed.exists():
            response = send_file(packed, mimetype=DOWNLOAD_TYPES[path.suffix], conditional=True, etag=True)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = send_file(path, mimetype=DOWNLOAD_TYPES[path.suffix], conditional=True, etag=True)
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def create_app(build_dir: Path, queries_dir: Path, config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app over the store in ``build_dir/oxigraph`` or the ``BACKEND`` store.

    Downloads are always the release files in ``build_dir``. ``app.extensions["cytokg"].close()`` stops the
    query processes.
    """
    build_dir = current_release(build_dir)  # this server reads one release, whatever later builds switch to
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = 3 * app.config["MAX_QUERY_BYTES"] + 1024
    endpoint = Endpoint(app, build_dir, queries_dir)
    app.extensions["cytokg"] = endpoint

    def run_page(text: str, iri: str | None, graph_media: str | None) -> Answer:
        bindings = (("entity", iri),) if iri else ()
        answer = endpoint.run(Job(text, None, graph_media, bindings=bindings, rows=graph_media is None), _client())
        if answer.error:
            raise RuntimeError(f"a page's query failed: {answer.error}")
        return answer

    app.register_blueprint(get_pages_blueprint(run_page, queries_dir))
    _install_limits(app, endpoint)
    _install_errors(app)
    _install_routes(app, endpoint)
    return app
