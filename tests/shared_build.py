"""One gated build of the real sources per test run, shared by every pytest-xdist worker of the run.

As soon as a worker has collected a test that needs the build, it starts ``python -m tests.shared_build OUT`` in
the background (the first worker to do so; the others find its claim) and the tests that need no build run
meanwhile. The builder holds ``OUT.lock`` until it has written ``OUT.json``, the gates that failed (none on good
sources). :func:`wait` blocks on that lock and returns what the builder found. Tests read the build and never write
to it; a test that builds into a build or runs ``cytokg check`` on one takes a copy (:func:`copy_build`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

from cytokg.build import build
from cytokg.children import die_with_parent_now
from cytokg.gates.suite import Layout

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
LAYOUT = Layout(ROOT / "shapes", ROOT / "queries")
RELEASE_DATE = "2026-11-21"
#: The PYTHONHASHSEED of the shared build: a test that rebuilds to compare bytes runs under another one.
HASH_SEED = "1"


def location(basetemp: Path) -> Path:
    """Where this run's build goes: beside the workers' own folders (pytest-xdist gives each a subfolder)."""
    return (basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp) / "shared-build"


def _suffixed(out: Path, suffix: str) -> Path:
    return out.with_name(out.name + suffix)


def start(out: Path) -> None:
    """Start the build in the background, unless a process of this run already has; never waits for it."""
    with _suffixed(out, ".lock").open("a") as lock:
        try:  # held: the build runs, or another worker is starting it (a wait here would idle this worker)
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        claim = _suffixed(out, ".log")
        if claim.exists():
            return
        with claim.open("w") as log:
            _spawn(out, log, lock.fileno())  # holds the lock (an inherited copy of this descriptor) until it exits


def _spawn(out: Path, log: IO[str], *keep: int) -> subprocess.Popen[bytes]:
    """``python -m tests.shared_build OUT`` under :data:`HASH_SEED`, writing to ``log``; it inherits ``keep``."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.shared_build", str(out)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONHASHSEED=HASH_SEED),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=keep,
    )


def wait(out: Path) -> dict[str, list[str]]:
    """The gates that failed on the shared build, once it is done; it is built now if nothing started it."""
    with _suffixed(out, ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result, log = _suffixed(out, ".json"), _suffixed(out, ".log")
        if not result.exists() and not log.exists():  # nothing started it
            with log.open("w") as stream:
                _spawn(out, stream).wait()
        if not result.exists():
            raise RuntimeError(f"the shared build stopped without a result; its output: {log.read_text()[-4000:]}")
        failed: dict[str, list[str]] = json.loads(result.read_text(encoding="utf-8"))
        return failed


def _build(out: Path) -> None:
    reports = build(ONTOLOGY, out, LAYOUT, RELEASE_DATE, lambda _: None)
    failed = {report.name: report.lines[:20] for report in reports if not report.ok}
    _suffixed(out, ".json").write_text(json.dumps(failed), encoding="utf-8")


def copy_build(built: Path, target: Path) -> Path:
    """A private copy of ``built`` (its links kept) for a test that writes into a build."""
    shutil.copytree(built, target, symlinks=True)
    return target


if __name__ == "__main__":
    die_with_parent_now()  # a stopped test run leaves no build running
    _build(Path(sys.argv[1]))
