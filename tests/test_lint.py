"""The code is ruff-clean (the same check `make lint` runs)."""

from __future__ import annotations

import shutil
import subprocess

from .conftest import ROOT, need


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    need(shutil.which(ruff) is not None, "ruff is installed with the test extras: pip install -e '.[test]'")
    command = [ruff, "check", "src", "tests", "benchmarks"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
