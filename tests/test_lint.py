"""The code is ruff-clean (the same check `make lint` runs), and kept in one place: version, build folder."""

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


def test_the_version_is_kept_in_one_place() -> None:
    """pyproject.toml takes the version from ``cytokg.__version__``; the installed metadata agrees."""
    import importlib.metadata
    import tomllib

    import cytokg

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert importlib.metadata.version("cytokg") == cytokg.__version__


def test_only_the_top_level_build_folder_is_ignored() -> None:
    """`/build/`, not `build/`: a source folder called build anywhere else stays under version control."""
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/build/" in ignored and "build/" not in ignored
