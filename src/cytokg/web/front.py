"""One web process (``python -m cytokg.web.front``), started by the supervisor (serve.py) on its listening socket.

Waitress's event loop reads each request whole before a thread sees it, so slow clients (slowloris) cost a
socket, never a thread; oversized bodies, chunked or not, get 413 from waitress itself; and the client address
is taken from X-Forwarded-For only when the connection comes from a configured trusted proxy. Plainly safe
queries run on this process's query threads, the rest in its pool of query processes (backends/threads.py).

The process tells the supervisor on its status pipe when it is serving (``UP``) and when it should be replaced
(``RETIRE``: too many abandoned queries, or too much memory). On SIGUSR1 it *drains*: it stops accepting
connections, closes each connection once no request is in it, and exits when none is left (or the query
time limit has passed once more), which ends every query it abandoned.
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RETIRE", "SWITCH_INTERVAL", "UP", "FrontSpec", "main"]

#: The process's GIL switch interval in seconds (Python's default is 0.005): a thread whose query has answered,
#: or the event loop with a request ready, waits at most this long for a busy thread to let go.
SWITCH_INTERVAL = 0.0005
#: What a web process writes on its status pipe.
UP = b"U"
RETIRE = b"R"
#: How often a draining process looks at its connections (seconds).
_DRAIN_TICK = 0.05


@dataclass(frozen=True)
class FrontSpec:
    """What the supervisor hands a web process on its standard input (pickled)."""

    build_dir: Path
    queries_dir: Path
    config: dict[str, Any]
    waitress: dict[str, Any]
    listen_fd: int
    status_fd: int


def _raise_file_limit(wanted: int) -> None:
    """Let the process hold ``wanted`` sockets (the soft limit is often 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _drain(server: Any, grace: float, close: Any) -> None:
    """Stop accepting, close connections as they fall idle, and exit when none is left or ``grace`` has passed."""
    from waitress.channel import HTTPChannel

    deadline = time.monotonic() + grace

    def tick() -> None:  # in the event loop's thread
        server.accepting = False
        channels = [channel for channel in list(server._map.values()) if isinstance(channel, HTTPChannel)]
        for channel in channels:
            if not channel.requests and channel.request is None and not channel.total_outbufs_len:
                channel.will_close = True
        if not channels or time.monotonic() > deadline:
            close()
            os._exit(0)

    def ticker() -> None:
        while True:
            server.trigger.pull_trigger(tick)
            time.sleep(_DRAIN_TICK)

    threading.Thread(target=ticker, daemon=True, name="cytokg-drain").start()


def main() -> None:
    """Serve the app on the supervisor's socket until drained or stopped."""
    from cytokg.children import die_with_parent_now

    die_with_parent_now()
    import waitress

    from cytokg.web.app import create_app

    spec: FrontSpec = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the supervisor, on a pipe only it holds
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # one JSON line per request
    sys.setswitchinterval(SWITCH_INTERVAL)
    _raise_file_limit(spec.waitress["connection_limit"] + 64)
    status = os.fdopen(spec.status_fd, "wb", buffering=0)
    lock = threading.Lock()

    def tell(message: bytes) -> None:
        with lock:
            try:
                status.write(message)
            except OSError:  # the supervisor is gone: this process dies with it
                pass

    config = spec.config | {"QUERY_THREADS": not spec.config.get("BACKEND"), "RETIRE": lambda: tell(RETIRE)}
    app = create_app(spec.build_dir, spec.queries_dir, config)
    listening = socket.socket(fileno=spec.listen_fd)
    body = app.config["MAX_CONTENT_LENGTH"]
    server = waitress.create_server(app, sockets=[listening], max_request_body_size=body, **spec.waitress)
    close = app.extensions["cytokg"].close
    grace = app.config["QUERY_TIMEOUT"] + 5
    signal.signal(signal.SIGUSR1, lambda _signal, _frame: _drain(server, grace, close))
    tell(UP)
    try:
        server.run()
    finally:
        close()


if __name__ == "__main__":
    main()
