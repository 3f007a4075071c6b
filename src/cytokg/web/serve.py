"""Serve the web app with waitress: one process whose event loop reads each request whole before a thread sees it.

Slow clients (slowloris) therefore cost a socket, never a thread; oversized bodies, chunked or not, get 413
from the server itself; and the client address is taken from X-Forwarded-For only when the connection comes
from a configured trusted proxy. The queries themselves run in the app's pool of query processes.
"""

from __future__ import annotations

import logging
import resource
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ServerSettings", "serve"]

#: The front process's GIL switch interval in seconds (Python's default is 0.005): a thread whose query has
#: answered, or the event loop with a request ready, waits at most this long for a busy thread to let go.
SWITCH_INTERVAL = 0.0005


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server listens and whom it trusts."""

    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 48  # most wait on a query process: enough that requests queue in the pool, not here
    connections: int = 1000
    idle_timeout: int = 60  # seconds a connection may stay silent (waitress's channel_timeout)
    trusted_proxy: str | None = None  # the proxy's address ("*" for any), for X-Forwarded-For
    trusted_proxy_count: int = 1


def _raise_file_limit(wanted: int) -> None:
    """Let the process hold ``wanted`` sockets (the soft limit is often 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(build_dir: Path, queries_dir: Path, settings: ServerSettings, config: dict[str, Any]) -> None:
    """Create the app (``config`` overrides its limits) and serve it until the process is stopped."""
    import waitress

    from cytokg.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")  # one JSON line per request
    sys.setswitchinterval(SWITCH_INTERVAL)
    _raise_file_limit(settings.connections + 64)
    app = create_app(build_dir, queries_dir, config)
    proxy: dict[str, Any] = {}
    if settings.trusted_proxy:
        proxy = {
            "trusted_proxy": settings.trusted_proxy,
            "trusted_proxy_count": settings.trusted_proxy_count,
            "trusted_proxy_headers": {"x-forwarded-for"},
            "clear_untrusted_proxy_headers": True,
        }
    try:
        waitress.serve(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            connection_limit=settings.connections,
            channel_timeout=settings.idle_timeout,
            max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
            asyncore_use_poll=True,
            ident="CytoKG",
            **proxy,
        )
    finally:
        app.extensions["cytokg"].close()
