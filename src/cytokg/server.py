"""The CytoKG web app: a SPARQL 1.1 endpoint over the embedded Oxigraph store, home page, downloads."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
from flask import Flask, Response, abort, render_template, request, send_file

from .build import RELEASE_FILES
from .formats import FORMAT_ALIASES, GRAPH_TYPES, RESULT_TYPES, negotiate
from .safety import QueryRefused, inspect_query
from .stats import compute_stats
from .store import open_store

__all__ = ["create_app"]

log = logging.getLogger("cytokg.server")

#: Media types of the downloadable release files.
DOWNLOAD_TYPES = {
    ".ttl": "text/turtle",
    ".owl": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
}
DEFAULTS: dict[str, Any] = {"MAX_QUERY_BYTES": 1_000_000, "ALLOWED_SERVICES": frozenset()}


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message, "status": status}), status=status, mimetype="application/json")


def _query_text() -> str | None:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        data = request.get_data()
        return data.decode("utf-8")
    return request.values.get("query")


def _answer(store: pyoxigraph.Store, text: str) -> Response:
    if "default-graph-uri" in request.values or "named-graph-uri" in request.values:
        return _error(400, "default-graph-uri and named-graph-uri are not supported; the dataset is the default graph")
    answer = store.query(text)
    wanted = request.values.get("format")
    accept = FORMAT_ALIASES.get(wanted, wanted) if wanted else request.headers.get("Accept")
    if isinstance(answer, pyoxigraph.QueryTriples):
        media = negotiate(accept, list(GRAPH_TYPES))
        if media is None:
            return _error(406, "acceptable types for CONSTRUCT/DESCRIBE: " + ", ".join(GRAPH_TYPES))
        body = answer.serialize(format=GRAPH_TYPES[media])
    else:
        media = negotiate(accept, list(RESULT_TYPES))
        if media is None:
            return _error(406, "acceptable types for SELECT/ASK: " + ", ".join(RESULT_TYPES))
        body = answer.serialize(format=RESULT_TYPES[media])
    return Response(body, mimetype=media, content_type=f"{media}; charset=utf-8")


def create_app(build_dir: Path, queries_dir: Path, config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app over the store in ``build_dir/oxigraph``; the store is opened once per worker."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_QUERY_BYTES"]
    store = open_store(build_dir / "oxigraph")
    counts = compute_stats(store, queries_dir / "stats")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        log.info("%s %s %s", request.method, request.path, response.status_code)
        return response

    @app.errorhandler(413)
    def _too_large(_: Exception) -> Response:
        return _error(413, f"request larger than {app.config['MAX_QUERY_BYTES']} bytes")

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        try:
            text = _query_text()
        except UnicodeDecodeError:
            return _error(400, "the query is not valid UTF-8")
        if not text:
            return Response(
                render_template("service.ttl"), mimetype="text/turtle", content_type="text/turtle; charset=utf-8"
            )
        started = time.perf_counter()
        try:
            inspect_query(text, app.config["ALLOWED_SERVICES"])
            response = _answer(store, text)
        except SyntaxError as error:
            return _error(400, f"malformed query: {error}")
        except QueryRefused as error:
            return _error(error.status, str(error))
        log.info("query in %.1f ms", 1000 * (time.perf_counter() - started))
        return response

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
        for name in RELEASE_FILES:
            path = build_dir / name
            if path.exists():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                files.append({"name": name, "size": path.stat().st_size, "sha256": digest})
        return render_template("downloads.html", files=files)

    @app.route("/downloads/<name>")
    def download(name: str) -> Response:
        if name not in RELEASE_FILES:
            abort(404)
        path = build_dir / name
        return send_file(path, mimetype=DOWNLOAD_TYPES[path.suffix], conditional=True, etag=True)

    return app
