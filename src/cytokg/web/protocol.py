"""Reading a request strictly: the SPARQL protocol's query and parameters, search text, and JSON errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import Response, request
from werkzeug.datastructures import MultiDict

from cytokg.sparql.formats import GRAPH_NAMES, GRAPH_TYPES, RESULT_NAMES, RESULT_TYPES, negotiate

__all__ = ["BadRequest", "ProtocolRequest", "json_error", "protocol_request", "search_text"]

_READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
#: The longest search text (names and identifiers are far shorter).
_MAX_SEARCH = 200


def json_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error answer: ``{"error": message, "status": status}``."""
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
        """The result media type (SELECT/ASK) and graph media type (CONSTRUCT/DESCRIBE) the client asks for.

        ``format=`` wins (SPARQLWrapper sends it twice, its name and a media type: the first known one counts);
        a format of the other kind (``format=turtle`` for a SELECT) leaves that kind to the Accept header, as
        SPARQLWrapper's Accept then names what it can read. A ``format=`` nobody knows is refused (406).
        """
        accept = request.headers.get("Accept")
        results = negotiate(accept, list(RESULT_TYPES), RESULT_NAMES)
        graphs = negotiate(accept, list(GRAPH_TYPES), GRAPH_NAMES)
        wanted = [name.lower() for name in self.params.getlist("format") if name]
        if not wanted:
            return results, graphs
        if not any(name in RESULT_NAMES or name in GRAPH_NAMES for name in wanted):
            return None, None
        result = next((RESULT_NAMES[name] for name in wanted if name in RESULT_NAMES), results)
        graph = next((GRAPH_NAMES[name] for name in wanted if name in GRAPH_NAMES), graphs)
        return result, graph


def _form(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Decode ``a=b&c=d`` strictly: text that is not UTF-8 is refused, not replaced with U+FFFD."""
    try:
        return parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the {where} is not valid UTF-8") from error


def protocol_request(max_bytes: int) -> ProtocolRequest:
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


def search_text() -> str:
    """The ``q`` parameter, strict UTF-8 and at most 200 characters."""
    _form(request.query_string, "query string")
    text = request.args.get("q", "")
    if len(text) > _MAX_SEARCH:
        raise BadRequest(f"search text longer than {_MAX_SEARCH} characters")
    return text
