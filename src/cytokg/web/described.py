"""The IRIs CytoKG mints for what is not an entity: its example queries (SIB's ``/.well-known/sparql-examples/``),
its graphs and datasets, and the VoID description at ``/.well-known/void`` (where VoID §6.2 says to look).

A browser asking for an example gets the query page with that example open; an RDF client gets the example's
triples, from the examples graph, through the app's one vetted path (the IRI bound as a term). A graph or a dataset
is described by the service description (``/sparql``: its named graphs, the dataset, its VoID linksets).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, request, send_file, url_for
from rdflib import URIRef
from werkzeug.wrappers import Response as Answer

from cytokg.namespaces import BASE
from cytokg.release import VOID_FILE
from cytokg.sparql.formats import GRAPH_TYPES, negotiate
from cytokg.store import EXAMPLES_GRAPH, INFERRED_GRAPH
from cytokg.web.context import site

__all__ = ["described"]

described = Blueprint("described", __name__)

#: The example's own triples and the blank nodes they lead to (its prefix declarations, two levels down: a
#: concise bounded description); ``?entity`` is bound to its IRI as a term.
_EXAMPLE = f"""CONSTRUCT {{ ?entity ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 }}
WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{ ?entity ?p ?o
  OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) OPTIONAL {{ ?o2 ?p3 ?o3 FILTER(isBlank(?o2)) }} }} }} }}"""
#: What an example's name may look like (its file name without ``.rq``).
_EXAMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
#: The named graphs the service description names (the asserted triples are this store's default graph).
_GRAPHS = {iri.removeprefix(f"{BASE}graph/") for iri in (INFERRED_GRAPH, EXAMPLES_GRAPH)}


@described.route("/.well-known/void")
def void() -> Response:
    """The release's VoID description: the dataset, its partitions and its linksets to other resources."""
    if not (site().build_dir / VOID_FILE).is_file():  # a bare store folder has none
        abort(404)
    return send_file(site().build_dir / VOID_FILE, mimetype="text/turtle")


@described.route("/.well-known/sparql-examples/<name>")
def example(name: str) -> Answer:
    """An example query: its page (the query editor, the example open) or its RDF (SHACL SPARQL executable)."""
    if not _EXAMPLE_NAME.fullmatch(name) or not (site().queries_dir / "examples" / f"{name}.rq").is_file():
        abort(404)
    media = negotiate(request.headers.get("Accept"), ["text/html", *GRAPH_TYPES])
    if media is None or media == "text/html":
        return redirect(url_for("query_page.page", example=name), 303)
    iri = f"{BASE}.well-known/sparql-examples/{name}"
    body = site().run_page(_EXAMPLE, iri, media).body
    return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


@described.route("/graph/<name>")
def graph(name: str) -> Answer:
    """A named graph's IRI: the service description describes it."""
    if name not in _GRAPHS:
        abort(404)
    return redirect(url_for("sparql.endpoint"), 303)


@described.route("/dataset/<path:name>")
def dataset(name: str) -> Answer:
    """The dataset's or a linkset's IRI: the service description holds its VoID description."""
    if (URIRef(f"{BASE}dataset/{name}"), None, None) not in site().linksets:
        abort(404)
    return redirect(url_for("sparql.endpoint"), 303)
