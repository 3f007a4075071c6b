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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cytokg.errors import InputError

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
    memory_mb: int = 1024  # a web process past this asks to be replaced, and exits past half as much again

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
    up: bool = False
    retiring: bool = False
    draining: bool = False


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, inherited by every web process."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        fix = "stop what listens there, or choose another --port"
        raise InputError(f"{host}:{port}", None, f"cannot listen here: {error.strerror}", fix) from error
    listening.listen(1024)
    listening.set_inheritable(True)
    return listening


class _Supervisor:
    """Starts web processes on ``listening`` and replaces them (see the module's docstring). At most two live at
    once: the one serving, and one draining (a second retirement meanwhile kills the older)."""

    def __init__(self, listening: socket.socket, spec: dict[str, Any]) -> None:
        self.listening = listening
        self.spec = spec
        self.fronts: list[_Front] = []
        self.stopping = False
        self.served = False  # some web process has served: from then on, never give up
        self.next_start = 0.0
        self.failed: int | None = None  # the exit status of a first web process that could not start

    def serving(self) -> list[_Front]:
        return [front for front in self.fronts if not front.retiring]

    def start(self) -> None:
        """Start a web process, or (if the system refuses) try again after ``_BACKOFF`` seconds."""
        from cytokg.web.front import FrontSpec

        read, write = os.pipe()
        spec = FrontSpec(**self.spec, replacement=self.served, listen_fd=self.listening.fileno(), status_fd=write)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "cytokg.web.front"],
                stdin=subprocess.PIPE,
                pass_fds=(self.listening.fileno(), write),
            )
        except OSError as error:
            os.close(read)
            os.close(write)
            log.error("could not start a web process (%s); trying again", error)
            self.next_start = time.monotonic() + _BACKOFF
            return
        os.close(write)
        assert process.stdin is not None
        try:
            process.stdin.write(pickle.dumps(spec))
            process.stdin.close()
        except OSError:
            pass  # it died at once: reap() sees it
        self.fronts.append(_Front(process, read))

    def read_status(self, front: _Front) -> None:
        from cytokg.web.front import RETIRE, UP

        try:
            data = os.read(front.status, 64)
        except OSError:
            data = b""
        if UP in data:
            front.up = self.served = True
            for old in self.fronts:  # the new process serves: the ones it replaces drain now
                if old is not front and old.retiring and not old.draining:
                    old.draining = True
                    old.process.send_signal(signal.SIGUSR1)
        if RETIRE in data and not front.retiring:
            log.warning("web process %d asks to be replaced", front.process.pid)
            for old in self.fronts:
                if old.draining:  # at most two at once
                    old.process.kill()
            front.retiring = True

    def reap(self) -> None:
        """Forget ended web processes; one that ended before it served delays the next start."""
        for front in list(self.fronts):
            code = front.process.poll()
            if code is None:
                continue
            os.close(front.status)
            self.fronts.remove(front)
            if front.draining or self.stopping:
                continue
            log.warning("web process %d ended (exit status %s)", front.process.pid, code)
            if not front.up:
                self.next_start = time.monotonic() + _BACKOFF
                if not self.served:
                    self.failed = code or 1

    def run(self) -> int:
        """Supervise until stopped; the exit status of the first web process if it could not start."""
        while not self.stopping:
            if not self.serving() and time.monotonic() >= self.next_start:
                self.start()
            statuses = [front.status for front in self.fronts]
            ready, _, _ = select.select(statuses, [], [], 0.2)
            for front in list(self.fronts):
                if front.status in ready:
                    self.read_status(front)
            self.reap()
            if self.failed is not None:
                return self.failed  # no store, bad settings: say so rather than try forever
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
    spec = {
        "build_dir": build_dir,
        "queries_dir": queries_dir,
        "config": config,
        "waitress": settings.waitress(),
        "memory_limit": settings.memory_mb * 1024 * 1024,
    }
    listening = _listen(settings.host, settings.port)
    handover = Path(tempfile.mkdtemp(prefix="cytokg-serve-"))  # private (0700): budgets between web processes
    spec["handover"] = handover / "budgets.json"
    supervisor = _Supervisor(listening, spec)

    def stop(_signal: int, _frame: Any) -> None:
        supervisor.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = supervisor.run()
    finally:
        supervisor.stop()
        shutil.rmtree(handover, ignore_errors=True)
    if code:
        sys.exit(code)
