"""The SPARQL 1.1 protocol endpoint (``/sparql``: queries, or the service description without one) and ``/healthz``."""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, redirect, request, url_for

from cytokg.backends.base import Job
from cytokg.sparql.formats import GRAPH_TYPES, RESULT_TYPES, negotiate, short_names
from cytokg.sparql.safety import nesting_over
from cytokg.web.context import SELF, client, site
from cytokg.web.protocol import json_error, protocol_request

__all__ = ["sparql"]

sparql = Blueprint("sparql", __name__)


def _service_description() -> Response:
    media = negotiate(request.headers.get("Accept"), ["text/turtle", "text/html", *GRAPH_TYPES])
    if media == "text/html":
        return redirect(url_for("query_page.page"))  # type: ignore[return-value]
    if media is None:
        return json_error(406, "acceptable types: text/turtle, text/html, " + ", ".join(GRAPH_TYPES))
    body = site().describe(request.base_url, request.url_root, media)
    return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL query (GET, form POST or direct POST) in the negotiated format."""
    config = site().config
    protocol = protocol_request(config["MAX_QUERY_BYTES"])
    text = protocol.query
    if not text:
        return _service_description()
    default_graphs = tuple(protocol.params.getlist("default-graph-uri"))
    named_graphs = tuple(protocol.params.getlist("named-graph-uri"))
    if any(not iri.startswith(("http://", "https://", "urn:")) for iri in default_graphs + named_graphs):
        return json_error(400, "default-graph-uri and named-graph-uri must be absolute IRIs of graphs in the store")
    depth = nesting_over(text, config["MAX_NESTING"])
    if depth is not None:
        return json_error(400, f"the query nests brackets {depth} deep; at most {config['MAX_NESTING']} are allowed")
    result_media, graph_media = protocol.preferences()
    job = Job(text, result_media, graph_media, default_graphs, named_graphs, request.base_url)
    answer = site().run(job, client())
    if answer.error:
        return json_error(answer.status, answer.error)
    if answer.status == 406:
        results = answer.media == "results"
        offered = RESULT_TYPES if results else GRAPH_TYPES
        names = ", ".join(short_names("results" if results else "graph"))
        return json_error(406, f"acceptable types: {', '.join(offered)}; or format= one of {names}")
    g.rows = answer.rows
    headers = {"CytoKG-Result-Limit": f"truncated at {config['MAX_ROWS']} rows"} if answer.truncated else {}
    return Response(answer.body, content_type=f"{answer.media}; charset=utf-8", headers=headers)


@sparql.route("/healthz")
def healthz() -> Response:
    """``{"status": "ok"}`` when the store answers and is not empty."""
    rows = site().run(Job("ASK { ?s ?p ?o }", rows=True), SELF).solutions
    ok = bool(rows) and rows[0][0] is not None and rows[0][0].value == "true"
    return Response(json.dumps({"status": "ok" if ok else "empty"}), mimetype="application/json")
