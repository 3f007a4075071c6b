"""The systems under test, each started on a free loopback port and stopped by PID.

- ``cytokg``: the production server, started as ``make serve`` starts it (``cytokg serve``: a supervisor and one
  waitress web process, 48 request threads, plainly safe queries on its query threads and the rest in killable query
  processes, in fast and heavy lanes, per-client limits). For throughput runs the
  per-client budget and parallel cap are raised out of reach, because every benchmark request comes from one
  address; the limiter still runs. ``limits=True`` keeps the production limits (the burst benchmark).
- ``bare``: :mod:`benchmarks.bare_app`, Flask + pyoxigraph under gunicorn (2 workers), no safety layer.
- ``rdflib``: rdflib-endpoint serving the graph file with rdflib's in-memory store (one uvicorn process).
- ``virtuoso``: a throw-away Virtuoso from :mod:`cytokg.testing.virtuoso` (issue 8) loaded with ``cytokg load``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .measure import first_answer, tree_rss

__all__ = [
    "CYTOKG_SERVER",
    "NotAvailable",
    "Server",
    "free_port",
    "start_bare",
    "start_cytokg",
    "start_rdflib",
    "virtuoso",
]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: How ``cytokg serve`` runs with its defaults, for the report.
CYTOKG_SERVER = (
    "a supervisor and one waitress web process (48 request threads) answering plainly safe queries on its own query"
    " threads, the rest in query processes started on demand; fast lane 4 places, heavy lane 2"
)
#: Examples the Virtuoso load is verified with: Virtuoso 7.2 answers CQ11 and CQ27 wrongly (its property-path bugs,
#: docs/deploy.md), so the default sample, which can pick them, would stop the load.
VIRTUOSO_VERIFIED = (
    "cq01-cytokine-families",
    "cq06-interleukin-and-chemokine",
    "cq16-gp130-family",
    "cq31-jak-stat-by-receptor",
)
#: Far above what any throughput run uses (seconds of server time per minute, requests and heavy-lane queries at
#: once): the limiter runs but never refuses. Lane sizes and the time limit stay as in production.
NO_LIMIT = ("--client-budget", "1000000000", "--client-parallel", "100000", "--client-heavy", "100000")


class NotAvailable(Exception):
    """A system cannot be measured here; the message says why."""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A started server: its SPARQL URL, its root process and when it was started."""

    name: str
    url: str
    process: subprocess.Popen[bytes] | None
    started: float
    pid: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.process is not None and not self.pid:
            self.pid = self.process.pid

    def alive(self) -> bool:
        """Whether the root process still runs."""
        if self.process is not None:
            return self.process.poll() is None
        return bool(psutil.pid_exists(self.pid))

    def rss(self) -> int:
        """Resident memory of the whole process tree, in bytes."""
        return tree_rss(self.pid)

    def wait_ready(self, timeout: float) -> float | None:
        """Seconds from start to the first answer, or None if none came within ``timeout``."""
        answered = first_answer(self.url, self.started + timeout, self.alive)
        return None if answered is None else answered - self.started

    def stop(self) -> None:
        """Stop the root process (SIGTERM, then SIGKILL) and any descendant left behind."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            children = []
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()


def _popen(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as stream:
        return subprocess.Popen(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, env=env)


def start_cytokg(
    build_dir: Path,
    log: Path,
    *,
    query_timeout: float = 30.0,
    limits: bool = False,
    trusted_proxy: str | None = None,
) -> Server:
    """``cytokg serve`` over ``build_dir/oxigraph`` with the repository's queries/ (the production code path).

    :param limits: keep the production per-client limits instead of raising them out of reach.
    :param trusted_proxy: trust this address's X-Forwarded-For, so one machine can act as many clients.
    """
    port = free_port()
    command = [
        str(BIN / "cytokg"),
        "serve",
        "--build-dir",
        str(build_dir),
        "--queries-dir",
        str(ROOT / "queries"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--query-timeout",
        str(query_timeout),
    ]
    if not limits:
        command += NO_LIMIT
    if trusted_proxy:
        command += ["--trusted-proxy", trusted_proxy]
    started = time.monotonic()
    return Server("cytokg", f"http://127.0.0.1:{port}/sparql", _popen(command, log), started)


def start_bare(store_dir: Path, log: Path, *, workers: int = 2) -> Server:
    """The bare Flask + pyoxigraph baseline under gunicorn over ``store_dir``."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "benchmarks.bare_app:create()",
    ]
    env = dict(os.environ, BENCH_STORE=str(store_dir))
    started = time.monotonic()
    return Server("bare", f"http://127.0.0.1:{port}/sparql", _popen(command, log, env), started)


def start_rdflib(graph_file: Path, log: Path) -> Server:
    """rdflib-endpoint serving ``graph_file`` (rdflib's default in-memory store)."""
    executable = BIN / "rdflib-endpoint"
    if not executable.exists():
        raise NotAvailable("rdflib-endpoint is not installed: pip install -e '.[bench]'")
    port = free_port()
    command = [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port), str(graph_file)]
    started = time.monotonic()
    return Server("rdflib", f"http://127.0.0.1:{port}/", _popen(command, log), started)


@contextlib.contextmanager
def virtuoso(build_dir: Path, work: Path, log: Path) -> Iterator[Server]:
    """A throw-away Virtuoso (``cytokg.testing.virtuoso.LocalVirtuoso``, issue 8) loaded by ``cytokg load``.

    ``cytokg load`` puts the asserted and inferred triples in two named graphs by the Graph Store protocol;
    Virtuoso's ``/sparql`` without FROM queries all graphs, as CytoKG's union default graph does.

    :raises NotAvailable: the module or Debian's virtuoso-opensource is missing, or loading failed.
    """
    try:
        from cytokg.testing.virtuoso import LocalVirtuoso, virtuoso_available
    except ImportError as error:
        raise NotAvailable("cytokg.testing.virtuoso is not in this checkout (issue 8)") from error
    if not virtuoso_available():
        raise NotAvailable("virtuoso-t / isql-vt not found: apt-get install virtuoso-opensource")
    shutil.rmtree(work, ignore_errors=True)
    begun = time.monotonic()
    with LocalVirtuoso(work) as local:
        ready = time.monotonic() - begun
        command = [str(BIN / "cytokg"), "load", "--build-dir", str(build_dir), "--endpoint", local.sparql_url]
        command += ["--update-endpoint", local.update_url, "--gsp-endpoint", local.gsp_url]
        command += [option for name in VIRTUOSO_VERIFIED for option in ("--verify-query", name)]
        env = dict(os.environ, CYTOKG_STORE_USER=local.user, CYTOKG_STORE_PASSWORD=local.password)
        started = time.monotonic()
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as stream:
            loaded = subprocess.run(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, env=env, check=False)
        if loaded.returncode != 0:
            raise NotAvailable(f"cytokg load into Virtuoso failed (exit {loaded.returncode}; see {log})")
        server = Server("virtuoso", local.sparql_url, None, started, pid=int(local.pid))
        server.extra["load_seconds"] = time.monotonic() - started
        server.extra["start_seconds"] = ready
        server.extra["buffers"] = local.buffers
        yield server
