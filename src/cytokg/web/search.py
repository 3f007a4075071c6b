"""Search by any name people use: the ``/search`` page and the ``/api/search`` JSON API."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from cytokg.search import PRIORITY
from cytokg.web.context import site
from cytokg.web.pages import local_path
from cytokg.web.protocol import BadRequest, json_error, search_text

__all__ = ["search"]

search = Blueprint("search", __name__)
#: Hits on the search page.
_PAGE = 50


@search.route("/api/search")
def api() -> Response:
    """Hits as JSON: ``{"query": ..., "results": [...]}``, at most ``limit`` (1 to 100, default 20), only of
    ``kind`` if given (``disease``, ``cell type``, ``gene product`` …).

    Each result has the entity's ``iri``, ``label`` and ``kind``, the name that matched (``matched``, its
    ``field``), how it matched (``match``: exact, prefix, word or substring) and ``why`` in words.
    """
    query = search_text()
    try:
        limit = max(1, min(int(request.args.get("limit", "20")), 100))
    except ValueError:
        return json_error(400, "limit must be a number")
    hits = [hit.__dict__ for hit in site().index.search(query, limit, _kind())]
    return Response(json.dumps({"query": query, "results": hits}), mimetype="application/json")


@search.route("/search")
def page() -> str:
    """The search page: the first 50 hits, each with its kind and why it matched, and how many of each kind."""
    query, kind = search_text(), _kind()
    hits = site().index.search(query, _PAGE, kind)
    kinds = site().index.kinds(query)
    total = sum(count for name, count in kinds if kind in (None, name))
    return render_template(
        "search.html", query=query, kind=kind, kinds=kinds, total=total, hits=hits, limit=_PAGE, local_path=local_path
    )


def _kind() -> str | None:
    """The ``kind`` parameter: one kind of entity in words, as hits show it, or None for every kind."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in PRIORITY:
        raise BadRequest(f"kind must be one of: {', '.join(PRIORITY)}")
    return kind
