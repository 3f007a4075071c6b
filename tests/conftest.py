"""Shared fixtures: one gated build of the real sources per test run (tests/shared_build.py), servers, Virtuoso.

Under pytest-xdist (``make test``) the tests of a module run on one worker, so its module-scoped servers start
once, and every test that needs Virtuoso runs on the same worker, so it starts and loads once; the modules that
need no build run first, while the build runs in the background.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib.query import Result, ResultRow

from cytokg.gates.reason import java_available
from cytokg.owlapi import owlapi_available
from cytokg.store import Queryable
from cytokg.testing.virtuoso import LocalVirtuoso, virtuoso_available

from . import shared_build
from .shared_build import LAYOUT, ONTOLOGY, RELEASE_DATE, ROOT

__all__ = ["LAYOUT", "ONTOLOGY", "RELEASE_DATE", "ROOT"]

REFDATA = ROOT.parent / "shared" / "refdata"
RESOURCES = Path(__file__).parent / "resources"


def select(store: Queryable, query: str) -> list[pyoxigraph.QuerySolution]:
    """The solutions of a SELECT query on an Oxigraph store (an ASK or CONSTRUCT query fails the test)."""
    answer = store.query(query)
    assert isinstance(answer, pyoxigraph.QuerySolutions), f"not a SELECT query: {query}"
    return list(answer)


def result_rows(result: Result) -> list[ResultRow]:
    """The rows of an rdflib SELECT result (an ASK or CONSTRUCT result fails the test)."""
    rows = list(result)
    assert all(isinstance(row, ResultRow) for row in rows), "not a SELECT result"
    return [row for row in rows if isinstance(row, ResultRow)]


def need(condition: bool, message: str) -> None:
    """Skip when a tool or reference folder is missing; in CI (CYTOKG_REQUIRE_ALL=1) fail instead."""
    if condition:
        return
    if os.environ.get("CYTOKG_REQUIRE_ALL"):
        pytest.fail(f"required in CI: {message}")
    pytest.skip(message)


def need_refdata() -> Path:
    """The ../shared/refdata folder, or a skip that says where it should be."""
    need(REFDATA.is_dir(), f"reference data not found at {REFDATA} (the ../shared folder beside the project)")
    return REFDATA


def _needs_virtuoso(item: pytest.Item) -> bool:
    """Whether the test uses Virtuoso: by fixture, or as the "virtuoso" value of a ``BACKENDS`` parameter."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return "virtuoso" in getattr(item, "fixturenames", ()) or "virtuoso" in params


#: Modules whose tests are spread over the workers one by one (long tests with no costly module fixture).
SPREAD = frozenset({"test_bad_input.py", "test_releases.py"})


#: The longest units of work that need the build (a worker's minutes each: a full rebuild, Virtuoso's start and
#: load, a server under attack, gate-failure builds), started first once the build is there, so that short
#: modules fill in at the end and both workers finish together (pytest-xdist hands out units in this order).
LONGEST = ("test_releases.py::test_killed_build", "virtuoso", "test_hostile.py", "test_cli.py")


def _needs_build(item: pytest.Item) -> bool:
    return "built" in getattr(item, "fixturenames", ())


def _group(item: pytest.Item) -> str | None:
    """The pytest-xdist group of the test: all Virtuoso tests, else its module (one by one in SPREAD modules)."""
    if _needs_virtuoso(item):
        return "virtuoso"
    return None if item.path.name in SPREAD else item.path.name


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for pytest-xdist; the modules that need no build first, then the longest units."""
    units = {item.nodeid: _group(item) or item.nodeid for item in items}
    needs_build = {units[item.nodeid] for item in items if _needs_build(item)}

    def order(item: pytest.Item) -> tuple[bool, int]:
        unit = units[item.nodeid]
        return unit in needs_build, next((n for n, name in enumerate(LONGEST) if name in unit), len(LONGEST))

    items.sort(key=order)  # stable: a module's tests stay in their order
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the shared build in the background if a selected test needs it."""
    config = session.config
    if config.option.collectonly or not any(_needs_build(item) for item in session.items):
        return
    if java_available() and owlapi_available():
        shared_build.start(shared_build.location(config._tmp_path_factory.getbasetemp()))  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gated build of the real curated sources that every test of the run shares; read it, never write to it."""
    need(java_available(), "Java is needed for HermiT: apt-get install default-jdk-headless")
    need(owlapi_available(), "the OWL API is needed for the OWL 2 DL gate: apt-get install libowlapi-java")
    out = shared_build.location(tmp_path_factory.getbasetemp())
    failed = shared_build.wait(out)
    assert not failed, f"gates failed on the real sources: {failed}"
    return out


@pytest.fixture()
def own_build(built: Path, tmp_path: Path) -> Path:
    """A private copy of the shared build, for a test that builds into it or runs `cytokg check` on it."""
    return shared_build.copy_build(built, tmp_path / "build")


@pytest.fixture()
def ontology_copy(tmp_path: Path) -> Path:
    """A writable copy of ontology/ for tests that break a source file."""
    target = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, target)
    return target


def wait_until_serving(url: str, seconds: float = 60) -> None:
    """Wait for ``url``/healthz to answer; fail the test clearly if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server on {url} did not answer /healthz within {seconds:g} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(built: Path, *options: str) -> Iterator[str]:
    """``cytokg serve`` (waitress) on a free loopback port until the block ends."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cytokg",
            "serve",
            "--build-dir",
            str(built),
            "--queries-dir",
            str(ROOT / "queries"),
            "--port",
            str(port),
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def live_server(built: Path) -> Iterator[str]:
    """A real CytoKG server (waitress) on a free loopback port, stopped after the session."""
    with _serving(built) as url:
        yield url


#: Debian's Chromium and the flags the browser tests run it with.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, started once per module; each test opens its own context or page."""
    need(Path(CHROMIUM).exists(), "needs Debian's chromium: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extras)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


#: The stores the web app is tested on: the embedded Oxigraph store and Virtuoso filled by `cytokg load`.
BACKENDS = ("embedded", "virtuoso")


@dataclass(frozen=True)
class LoadedStore:
    """A local Virtuoso after `cytokg load`, with that command's output."""

    server: LocalVirtuoso
    load: subprocess.CompletedProcess[str]


def cytokg_load(
    server: LocalVirtuoso, built: Path, *options: str, gsp: str | None = "server"
) -> subprocess.CompletedProcess[str]:
    """Run `cytokg load` into ``server``; data goes by the server's Graph Store URL, ``gsp``, or (None) by Update."""
    command = [sys.executable, "-m", "cytokg", "load", "--endpoint", server.sparql_url]
    command += ["--update-endpoint", server.update_url, "--user", server.user, "--build-dir", str(built)]
    if gsp is not None:
        command += ["--gsp-endpoint", server.gsp_url if gsp == "server" else gsp]
    command += options
    environment = dict(os.environ, CYTOKG_STORE_PASSWORD=server.password)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment, timeout=600, check=False)


#: Example queries `cytokg load` checks in the session's Virtuoso (all are compared in test_virtuoso.py).
VERIFIED = (
    "cq01-cytokine-families",
    "cq06-interleukin-and-chemokine",
    "cq16-gp130-family",
    "cq31-jak-stat-by-receptor",
)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalVirtuoso]:
    """Virtuoso Open Source on loopback with a throw-away database, stopped by its PID after the session."""
    need(virtuoso_available(), "Virtuoso is needed: apt-get install virtuoso-opensource")
    with LocalVirtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_loaded(virtuoso: LocalVirtuoso, built: Path) -> LoadedStore:
    """Virtuoso holding the build, loaded by `cytokg load` into the default graph names."""
    done = cytokg_load(virtuoso, built, *(option for name in VERIFIED for option in ("--verify-query", name)))
    assert done.returncode == 0, done.stderr
    return LoadedStore(virtuoso, done)


def backend_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """App settings for the backend a fixture parametrized over ``BACKENDS`` runs on."""
    if request.param == "embedded":
        return {}
    loaded: LoadedStore = request.getfixturevalue("virtuoso_loaded")
    return {"BACKEND": f"sparql+{loaded.server.sparql_url}"}


@pytest.fixture(scope="session")
def live_server_virtuoso(built: Path, virtuoso_loaded: LoadedStore) -> Iterator[str]:
    """`cytokg serve --backend` on Virtuoso (waitress), stopped after the session."""
    with _serving(built, "--backend", f"sparql+{virtuoso_loaded.server.sparql_url}") as url:
        yield url
