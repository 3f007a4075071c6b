"""The bare baseline: Flask + pyoxigraph under gunicorn, no safety layer (no limits, no time-out, no checks).

It answers ``GET /sparql?query=`` over the same read-only store CytoKG serves, with the default graph
as the union of all graphs (as CytoKG's ``/sparql`` does): SELECT/ASK as SPARQL JSON, graphs as Turtle.
Run: ``BENCH_STORE=build/oxigraph gunicorn --workers 2 'benchmarks.bare_app:create()'``.
"""

from __future__ import annotations

import os

import pyoxigraph
from flask import Flask, Response, request

__all__ = ["create"]


def create() -> Flask:
    """The app over the store named by ``BENCH_STORE``."""
    app = Flask(__name__)
    store = pyoxigraph.Store.read_only(os.environ["BENCH_STORE"])

    @app.route("/sparql")
    def sparql() -> Response:
        answer = store.query(request.args["query"], use_default_graph_as_union=True)
        if isinstance(answer, pyoxigraph.QueryTriples):
            body = answer.serialize(format=pyoxigraph.RdfFormat.TURTLE) or b""
            return Response(body, content_type="text/turtle")
        body = answer.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b""
        return Response(body, content_type="application/sparql-results+json")

    return app
