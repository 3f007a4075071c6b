"""Shared fixtures: one gated build of the real sources per test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cytokg.build import build
from cytokg.gates import Layout
from cytokg.owlprofile import owlapi_available
from cytokg.reason import java_available

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
LAYOUT = Layout(ROOT / "shapes", ROOT / "queries")
REFDATA = ROOT.parent / "shared" / "refdata"
RESOURCES = Path(__file__).parent / "resources"
RELEASE_DATE = "2026-11-21"


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


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gated build of the real curated sources."""
    need(java_available(), "Java is needed for HermiT: apt-get install default-jdk-headless")
    need(owlapi_available(), "the OWL API is needed for the OWL 2 DL gate: apt-get install libowlapi-java")
    out = tmp_path_factory.mktemp("build")
    reports = build(ONTOLOGY, out, LAYOUT, RELEASE_DATE, lambda _: None)
    failed = {r.name: r.lines[:20] for r in reports if not r.ok}
    assert not failed, f"gates failed on the real sources: {failed}"
    return out


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


@pytest.fixture(scope="session")
def live_server(built: Path) -> Iterator[str]:
    """A real CytoKG server (gunicorn, one worker) on a free loopback port, stopped after the session."""
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
            "--workers",
            "1",
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
