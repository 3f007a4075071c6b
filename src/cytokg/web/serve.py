"""``cytokg serve``: a small supervisor holds the listening socket and keeps one web process (front.py) on it.

A web process answers cheap queries on its own query threads, which cannot be stopped; so when queries it had
to abandon pile up, or its memory grows too much, it asks to be *retired*. The supervisor then starts a new
web process on the same socket, and once that one serves, tells the old one to drain (finish what it holds,
then exit, ending what it abandoned). Connections wait in the socket's queue meanwhile, never refused. A web
process that dies (a crash in the store) is replaced the same way. The supervisor (supervisor.py) imports no web
code, and kills its web processes when it is stopped; Linux kills them if the supervisor itself is killed.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cytokg.errors import InputError

__all__ = ["ServerSettings", "serve"]

#: What a pipe holds before anyone reads it (Linux's default).
_PIPE_BYTES = 65_536


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


def serve(build_dir: Path, queries_dir: Path, settings: ServerSettings, config: dict[str, Any]) -> None:
    """Serve the app (``config`` overrides its limits) until the process is stopped: open the socket, then become
    the supervisor (supervisor.py), which imports almost nothing, so the process that stays holds little memory."""
    from cytokg.web.front import FrontSpec

    listening = _listen(settings.host, settings.port)
    folder = Path(tempfile.mkdtemp(prefix="cytokg-serve-"))  # private (0700): budgets between web processes
    spec = FrontSpec(
        build_dir=build_dir,
        queries_dir=queries_dir,
        config=config,
        waitress=settings.waitress(),
        memory_limit=settings.memory_mb * 1024 * 1024,
        handover=folder / "budgets.json",
    )
    data = pickle.dumps(spec)
    read, write = os.pipe()  # the settings (with any store credentials) never touch the disk
    try:
        if len(data) > _PIPE_BYTES:
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, len(data))  # all of it fits before anyone reads
        view = memoryview(data)
        while view:
            view = view[os.write(write, view) :]
    finally:
        os.close(write)
    os.set_inheritable(read, True)
    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "cytokg.web.supervisor", str(listening.fileno()), str(read), str(folder)]
    try:
        os.execv(sys.executable, command)  # the same process (its PID, its parent) with a fresh interpreter
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
