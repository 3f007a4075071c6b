"""``cytokg serve``: a small supervisor holds the listening socket and keeps one web process (front.py) on it.

A web process answers cheap queries on its own query threads, which cannot be stopped; so when queries it had
to abandon pile up, or its memory grows too much, it asks to be *retired*. The supervisor then starts a new
web process on the same socket, and once that one serves, tells the old one to drain (finish what it holds,
then exit, ending what it abandoned). Connections wait in the socket's queue meanwhile, never refused. A web
process that dies (a crash in the store) is replaced the same way. The supervisor imports no web code, and
kills its web processes when it is stopped; Linux kills them if the supervisor itself is killed.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ServerSettings", "serve"]

log = logging.getLogger("cytokg.serve")

#: Seconds between restarts of a web process that dies before it serves.
_BACKOFF = 1.0


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server listens and whom it trusts."""

    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 48  # most wait on a query: enough that requests queue in the lanes, not in waitress
    connections: int = 1000
    idle_timeout: int = 60  # seconds a connection may stay silent (waitress's channel_timeout)
    trusted_proxy: str | None = None  # the proxy's address ("*" for any), for X-Forwarded-For
    trusted_proxy_count: int = 1

    def waitress(self) -> dict[str, Any]:
        """Waitress's options for these settings (the web process adds the largest body its app accepts)."""
        options: dict[str, Any] = {
            "threads": self.threads,
            "connection_limit": self.connections,
            "channel_timeout": self.idle_timeout,
            "asyncore_use_poll": True,
            "ident": "CytoKG",
        }
        if self.trusted_proxy:
            options |= {
                "trusted_proxy": self.trusted_proxy,
                "trusted_proxy_count": self.trusted_proxy_count,
                "trusted_proxy_headers": {"x-forwarded-for"},
                "clear_untrusted_proxy_headers": True,
            }
        return options


@dataclass
class _Front:
    """A web process and the read end of its status pipe."""

    process: subprocess.Popen[bytes]
    status: int
    started: float = field(default_factory=time.monotonic)
    up: bool = False
    retiring: bool = False
    draining: bool = False


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(address)
    listening.listen(1024)
    listening.set_inheritable(True)
    return listening


class _Supervisor:
    """Starts web processes on ``listening`` and replaces them (see the module's docstring)."""

    def __init__(self, listening: socket.socket, spec: dict[str, Any]) -> None:
        self.listening = listening
        self.spec = spec
        self.fronts: list[_Front] = []
        self.stopping = False

    def start(self) -> None:
        from cytokg.web.front import FrontSpec

        read, write = os.pipe()
        spec = FrontSpec(**self.spec, listen_fd=self.listening.fileno(), status_fd=write)
        process = subprocess.Popen(
            [sys.executable, "-m", "cytokg.web.front"],
            stdin=subprocess.PIPE,
            pass_fds=(self.listening.fileno(), write),
        )
        os.close(write)
        assert process.stdin is not None
        process.stdin.write(pickle.dumps(spec))
        process.stdin.close()
        self.fronts.append(_Front(process, read))

    def serving(self) -> list[_Front]:
        return [front for front in self.fronts if not front.retiring]

    def read_status(self, front: _Front) -> None:
        from cytokg.web.front import RETIRE, UP

        try:
            data = os.read(front.status, 64)
        except OSError:
            data = b""
        if UP in data:
            front.up = True
            for old in self.fronts:  # the new process serves: the ones it replaces drain now
                if old is not front and old.retiring and not old.draining:
                    old.draining = True
                    old.process.send_signal(signal.SIGUSR1)
        if RETIRE in data and not front.retiring:
            log.warning("web process %d asks to be replaced; starting another", front.process.pid)
            front.retiring = True
            if not self.serving():
                self.start()

    def reap(self) -> None:
        """Forget ended web processes; start another when none is left to serve (not while stopping)."""
        for front in list(self.fronts):
            code = front.process.poll()
            if code is None:
                continue
            os.close(front.status)
            self.fronts.remove(front)
            if self.stopping or front.draining:
                continue
            if not front.up and time.monotonic() - front.started < _BACKOFF:
                time.sleep(_BACKOFF)  # it died while starting: do not start one after another at full speed
            log.warning("web process %d ended (%s); starting another", front.process.pid, code)
            if not self.serving():
                self.start()

    def run(self) -> int:
        """Supervise until stopped; the first web process's exit status if it never served."""
        self.start()
        while not self.stopping:
            ready, _, _ = select.select([front.status for front in self.fronts], [], [], 0.5)
            for front in list(self.fronts):
                if front.status in ready:
                    self.read_status(front)
            first = self.fronts[0] if len(self.fronts) == 1 else None
            if first is not None and not first.up and first.process.poll() not in (None, 0):
                return int(first.process.returncode or 1)  # it could not start (no store, bad settings): give up
            self.reap()
        return 0

    def stop(self) -> None:
        """Stop every web process (SIGTERM, then SIGKILL after 10 s)."""
        self.stopping = True
        for front in self.fronts:
            front.process.terminate()
        for front in self.fronts:
            try:
                front.process.wait(10)
            except subprocess.TimeoutExpired:
                front.process.kill()


def serve(build_dir: Path, queries_dir: Path, settings: ServerSettings, config: dict[str, Any]) -> None:
    """Serve the app (``config`` overrides its limits) until the process is stopped."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    spec = {"build_dir": build_dir, "queries_dir": queries_dir, "config": config, "waitress": settings.waitress()}
    supervisor = _Supervisor(_listen(settings.host, settings.port), spec)

    def stop(_signal: int, _frame: Any) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = supervisor.run()
    finally:
        supervisor.stop()
    if code:
        sys.exit(code)
