"""One web process (``python -m cytokg.web.front``), started by the supervisor (supervisor.py) on its socket.

Waitress's event loop reads each request whole before a thread sees it, so slow clients (slowloris) cost a
socket, never a thread; oversized bodies, chunked or not, get 413 from waitress itself (in JSON, as every error
the app answers); and the client address is taken from X-Forwarded-For only when the connection comes from a
configured trusted proxy. Plainly safe queries run on this process's query threads, the rest in its pool of query
processes (backends/threads.py).

The process tells the supervisor on its status pipe when it is serving (``UP``) and when it should be replaced
(``RETIRE``: a query thread had to abandon a query, or the process holds more than ``memory_limit`` bytes). On
SIGUSR1 it *drains*: it stops accepting connections, closes each connection once no request is in it, and exits
when none is left (or when the longest request it could hold would be over), which ends every query it
abandoned. Past half as much memory again it exits at once: a query it abandoned may still be growing.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import resource
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cytokg.web.supervisor import RETIRE, UP

__all__ = ["RETIRE", "SWITCH_INTERVAL", "UP", "FrontSpec", "main"]

#: The process's GIL switch interval in seconds (Python's default is 0.005): a thread whose query has answered,
#: or the event loop with a request ready, waits at most this long for a busy thread to let go.
SWITCH_INTERVAL = 0.0005
#: How often a draining process looks at its connections, and every process at its memory (seconds).
_DRAIN_TICK = 0.05
_MEMORY_TICK = 0.1


@dataclass(frozen=True)
class FrontSpec:
    """What the supervisor hands a web process on its standard input (pickled by ``cytokg serve``); its arguments
    say whether it replaces another (1 or 0), and the descriptors of the listening socket and its status pipe."""

    build_dir: Path
    queries_dir: Path
    config: dict[str, Any]
    waitress: dict[str, Any]
    memory_limit: int
    handover: Path  # where a web process leaves the client budgets for its replacement


def _json_errors(server: Any) -> None:
    """Make the errors waitress answers itself (a body past the limit, a malformed request) JSON like the app's:
    ``{"error": message, "status": code}``."""
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JsonErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            error = self.request.error
            message = {413: f"request larger than {self.channel.adj.max_request_body_size} bytes"}.get(error.code)
            body = json.dumps({"error": message or f"{error.reason.lower()}: {error.body}", "status": error.code})
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.response_headers.append(("Access-Control-Allow-Origin", "*"))  # as on the app's own answers
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body.encode())

    class JsonErrorChannel(HTTPChannel):  # type: ignore[misc]
        error_task_class = JsonErrorTask

    server.channel_class = JsonErrorChannel


def _raise_file_limit(wanted: int) -> None:
    """Let the process hold ``wanted`` sockets (the soft limit is often 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _drainer(server: Any, grace: float, close: Callable[[], None]) -> Callable[[], None]:
    """What drains the process (once, however often it is called): stop accepting, close connections as they fall
    idle, and exit when none is left or ``grace`` has passed."""
    started = threading.Event()

    def drain() -> None:
        if not started.is_set():
            started.set()
            _drain(server, grace, close)

    return drain


def _drain(server: Any, grace: float, close: Callable[[], None]) -> None:
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


def _watch_memory(limit: int, retire: Callable[[], None], drain: Callable[[], None]) -> None:
    """Past ``limit`` resident bytes, ask to be replaced and drain at once (new connections wait in the socket's
    queue for the replacement, so only the requests already here are lost if the process must exit); exit at once
    past half as much again."""
    from cytokg.backends.heap import HeapTrimmer

    size = HeapTrimmer().resident
    asked = False
    while True:
        resident = size()
        if resident > limit * 3 // 2:
            os._exit(75)  # a query it cannot stop is still growing: its replacement serves
        if resident > limit and not asked:
            asked = True
            retire()
            drain()
        time.sleep(_MEMORY_TICK)


def main() -> None:
    """Serve the app on the supervisor's socket until drained or stopped."""
    from cytokg.children import die_with_parent_now

    die_with_parent_now()
    import waitress

    from cytokg.backends.threads import COOL_DOWN
    from cytokg.web.app import create_app

    spec: FrontSpec = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the supervisor, on a pipe only it holds
    replacement, listen_fd, status_fd = (int(argument) for argument in sys.argv[1:4])
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # one JSON line per request
    sys.setswitchinterval(SWITCH_INTERVAL)
    _raise_file_limit(spec.waitress["connection_limit"] + 64)
    status = os.fdopen(status_fd, "wb", buffering=0)
    lock = threading.Lock()

    def tell(message: bytes) -> None:
        with lock:
            try:
                status.write(message)
            except OSError:  # the supervisor is gone: this process dies with it
                pass

    site: list[Any] = []

    def retire() -> None:  # the budgets first: the replacement reads them when it starts
        if site:
            site[0].limits.hand_over(spec.handover)
        tell(RETIRE)

    threads = spec.config.get("QUERY_THREADS", True) and not spec.config.get("BACKEND")
    quiet = COOL_DOWN if replacement else 0.0  # a replacement: its predecessor abandoned a query, or died
    config = spec.config | {"QUERY_THREADS": threads, "QUIET_FOR": quiet, "RETIRE": retire}
    app = create_app(spec.build_dir, spec.queries_dir, config)
    site.append(app.extensions["cytokg"])
    site[0].limits.take_over(spec.handover)
    listening = socket.socket(fileno=listen_fd)
    body = app.config["MAX_CONTENT_LENGTH"]
    server = waitress.create_server(app, sockets=[listening], max_request_body_size=body, **spec.waitress)
    _json_errors(server)
    close = app.extensions["cytokg"].close
    # the longest a request can take: a wait for the fast lane, then the time limit, twice (a query abandoned on a
    # thread runs again in a query process), and a margin
    grace = 2 * (app.config["QUEUE_WAIT"] + app.config["QUERY_TIMEOUT"]) + 10
    drain = _drainer(server, grace, close)
    signal.signal(signal.SIGUSR1, lambda _signal, _frame: drain())
    watch = (spec.memory_limit, retire, drain)
    threading.Thread(target=_watch_memory, args=watch, daemon=True, name="cytokg-memory").start()
    tell(UP)
    try:
        server.run()
    finally:
        close()


if __name__ == "__main__":
    main()
