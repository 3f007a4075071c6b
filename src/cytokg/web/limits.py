"""Fair shares and error answers for every request: admission, accounting, CORS, the access log, JSON errors."""

from __future__ import annotations

import json
import logging
import time

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from cytokg.backends.base import Busy, QueryTimeout
from cytokg.web.context import client, site
from cytokg.web.protocol import BadRequest, json_error

__all__ = ["limits"]

log = logging.getLogger("cytokg.web")

limits = Blueprint("limits", __name__)


@limits.before_app_request
def _admit() -> Response | None:
    """Count the request against its client's parallel requests and budget of server time (429 beyond)."""
    g.started = time.perf_counter()
    g.rows = ""
    if request.method == "OPTIONS" or request.endpoint in ("static", "sparql.healthz"):
        return None
    wait = site().limits.admit(client())
    if wait:
        return json_error(429, wait.message, {"Retry-After": str(wait.retry_after)})
    g.admitted = True
    return None


@limits.teardown_app_request
def _account(_: BaseException | None) -> None:
    if g.pop("admitted", False):
        site().limits.release(client(), time.perf_counter() - g.started)


@limits.after_app_request
def _headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    elapsed = 1000 * (time.perf_counter() - g.get("started", time.perf_counter()))
    line = {"method": request.method, "path": request.path, "status": response.status_code}
    log.info(json.dumps(line | {"ms": round(elapsed, 1), "rows": g.get("rows", "")}))
    return response


@limits.app_errorhandler(Busy)
def _busy(error: Busy) -> Response:
    return json_error(error.status, str(error), {"Retry-After": str(error.retry_after)})


@limits.app_errorhandler(QueryTimeout)
def _timeout(error: QueryTimeout) -> Response:
    return json_error(503, str(error), {"Retry-After": "5"})


@limits.app_errorhandler(BadRequest)
def _bad(error: BadRequest) -> Response:
    return json_error(error.status, str(error))


@limits.app_errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    status = error.code or 500
    messages = {
        404: f"no such page: {request.path}",
        405: f"{request.method} is not allowed on {request.path}",
        413: f"request larger than {current_app.config['MAX_QUERY_BYTES']} bytes",
    }
    return json_error(status, messages.get(status, error.description or error.name))


@limits.app_errorhandler(Exception)
def _internal(error: Exception) -> Response:
    log.exception("unhandled error on %s", request.path, exc_info=error)
    return json_error(500, "internal error; the server keeps serving")
