"""Shared fixtures: one gated build of the real sources per test run (tests/shared_build.py), servers, Virtuoso.

Under pytest-xdist (``make test``) the tests of a module run on one worker, so its module-scoped servers start
once, and every test that needs Virtuoso runs on the same worker, so it starts and loads once; the modules that
need no build run first, while the build runs in the background.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.query import Result, ResultRow
from xdist.scheduler import LoadScopeScheduling

from cytokg.compile.curated import Curated
from cytokg.compile.pipeline import compile_graphs
from cytokg.compile.tables import Row
from cytokg.gates.reason import java_available
from cytokg.owlapi import owlapi_available
from cytokg.publish import build_lock, new_release, publish
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
SPREAD = frozenset({"test_bad_input.py", "test_cli.py", "test_releases.py"})
#: Modules that need no build and share one compile of the real sources (:func:`compiled_reads`): one unit, with
#: every other test that reads that compile and needs no build (most of test_catalog.py).
COMPILING = frozenset({"test_names.py", "test_cell_evidence.py"})


#: The longest units of work, first among those that need no build (the gate-failure builds of small ontologies
#: into small releases, run while the shared build runs) and among those that need it (a full rebuild, Virtuoso's
#: start and load, a server under attack), so that short modules fill in at the end and both workers finish
#: together (pytest-xdist hands out units in this order).
LONGEST = (
    "test_cli.py::test_gate_failure",
    "test_bad_input.py::test_gate_failure",
    "test_releases.py::test_killed_build",
    "virtuoso",
    "test_hostile.py",
)


def _needs_build(item: pytest.Item) -> bool:
    return "built" in getattr(item, "fixturenames", ())


def _group(item: pytest.Item) -> str | None:
    """The pytest-xdist unit of the test: all Virtuoso tests, the COMPILING modules and the other tests that read
    their compile without a build, else its module (one by one in SPREAD modules)."""
    if _needs_virtuoso(item):
        return "virtuoso"
    reads_compile = "compiled_reads" in getattr(item, "fixturenames", ()) and not _needs_build(item)
    if item.path.name in COMPILING or reads_compile:
        return "compiling"
    return None if item.path.name in SPREAD else item.path.name


def _shared_folder(config: pytest.Config) -> Path:
    """The run's folder that the pytest-xdist controller and all workers see (a worker's basetemp is inside)."""
    basetemp: Path = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def _units_file(config: pytest.Config) -> Path:
    return _shared_folder(config) / "xdist-units.json"


class UnitScheduling(LoadScopeScheduling):  # type: ignore[misc]  # pytest-xdist has no type hints
    """pytest-xdist's scope scheduling over the units the workers wrote (``xdist-units.json``: node id → unit).

    pytest-xdist 3.8's ``--dist loadgroup`` groups nothing under pytest 9 (it renames ``item._nodeid``, which
    pytest 9 no longer reads), so every test was its own unit and a module's fixtures were built on both workers.
    """

    def __init__(self, config: pytest.Config, log: Any) -> None:
        super().__init__(config, log)
        self.config = config
        self.units: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self.units is None:  # the workers wrote the file while collecting, before they reported their tests
            self.units = json.loads(_units_file(self.config).read_text(encoding="utf-8"))
        return self.units.get(nodeid, nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> UnitScheduling:
    """Hand out the units of :func:`pytest_collection_modifyitems`, in its order (``--no-loadscope-reorder``)."""
    return UnitScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests into pytest-xdist units; the modules that need no build first, then the longest units."""
    units = {item.nodeid: _group(item) or item.nodeid for item in items}
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker writes the same units; the last rename wins
        target = _units_file(config)
        scratch = target.with_name(f"{target.name}.{os.environ['PYTEST_XDIST_WORKER']}")
        scratch.write_text(json.dumps(units), encoding="utf-8")
        scratch.replace(target)
    needs_build = {units[item.nodeid] for item in items if _needs_build(item)}

    def order(item: pytest.Item) -> tuple[bool, int]:
        unit = units[item.nodeid]
        return unit in needs_build, next((n for n, name in enumerate(LONGEST) if name in unit), len(LONGEST))

    items.sort(key=order)  # stable: a module's tests stay in their order


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


@pytest.fixture(scope="session")
def compiled_reads() -> tuple[Graph, Curated, set[tuple[str, str]]]:
    """The graph compiled from the real tables, and every (table, column) the compilers read on the way.

    Compiled once per worker for the tests that read the compiled graph without a build; read it, never change it.
    """
    read: set[tuple[str, str]] = set()
    original_get, original_required = Row.__getitem__, Row.required

    def table(row: Row) -> str:
        return row.path.name.split(".")[0] + ".tsv"

    def get(row: Row, column: str) -> str:
        read.add((table(row), column))
        return original_get(row, column)

    def required(row: Row, column: str) -> str:
        read.add((table(row), column))
        return original_required(row, column)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Row, "__getitem__", get)
        patch.setattr(Row, "required", required)
        compiled = compile_graphs(ONTOLOGY, "2026-01-01")
    return compiled.full, compiled.curated, read


def release_digest(build_dir: Path) -> dict[str, str]:
    """SHA-256 of every release file (a failed build's reports folder is not part of the release)."""
    digests = {}
    for folder, _, files in os.walk(build_dir, followlinks=True):
        for name in files:
            path = Path(folder) / name
            relative = path.relative_to(build_dir)
            if relative.parts[0] not in ("failed-reports", ".staging"):
                digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def small_release(build_dir: Path) -> dict[str, str]:
    """Publish a small release (tests/resources/releases/old) into ``build_dir``; its files' digests.

    For tests of a refused build, which must leave the current release alone whatever that release holds.
    """
    with build_lock(build_dir):
        folder = new_release(build_dir)
        shutil.copy(RESOURCES / "releases" / "old" / "cytokg.nt", folder / "cytokg.nt")
        publish(build_dir, folder)
    return release_digest(build_dir)


#: Tables a small ontology keeps whole: the ones other tables name their sources and genes from.
WHOLE_TABLES = frozenset({"sources.tsv", "hgnc_genes.tsv"})
#: Tables (and their parts) whose rows for the chosen gene symbols (first cell) a small ontology keeps.
SYMBOL_TABLES = ("gene_products", "family_memberships")


def small_ontology(target: Path, symbols: Collection[str] = ()) -> Path:
    """A copy of ontology/ with little data, in ``target``: each curated table cut to its comments and header, but
    :data:`WHOLE_TABLES` whole and the gene products and family memberships of ``symbols`` kept.

    For a test of what `cytokg build` does around its input (a gate that fails on it, a build folder it cannot
    write): the TBox, the imported terms and those rows compile, and pass every gate, in seconds.
    """
    shutil.copytree(ONTOLOGY, target)
    for table in (target / "data").glob("*.tsv"):
        if table.name in WHOLE_TABLES:
            continue
        kept: list[str] = []
        lines = iter(table.read_text(encoding="utf-8").splitlines())
        for line in lines:  # the comments, then the header
            kept.append(line)
            if line and not line.startswith("#"):
                break
        if table.name.split(".")[0] in SYMBOL_TABLES:
            kept += [line for line in lines if line.split("\t")[0] in symbols]
        table.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return target


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
