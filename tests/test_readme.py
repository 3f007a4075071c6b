"""The README's contents block is exactly what `cytokg stats` prints for the current sources."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_readme_stats_match_the_build(built: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- stats:start -->\n```\n(.*?)```\n<!-- stats:end -->", readme, re.DOTALL)
    assert block, "README.md needs its stats block"
    done = subprocess.run(
        [sys.executable, "-m", "cytokg", "stats", "--build-dir", str(built)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert block.group(1) == done.stdout, "update README.md's contents block with `cytokg stats`"


def test_readme_first_query_runs_and_shows_its_answer(built: Path) -> None:
    """The query file the README's first steps name exists, and the answer shown is what it returns."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"\.venv/bin/cytokg query (queries/\S+\.rq)", readme)
    shown = re.search(r"<!-- first-query:start -->\n```\n(.*?)```\n<!-- first-query:end -->", readme, re.DOTALL)
    assert command and shown, "README.md's first query needs its command and its first-query block"
    assert (ROOT / command.group(1)).is_file(), f"{command.group(1)} does not exist"
    done = subprocess.run(
        [sys.executable, "-m", "cytokg", "query", command.group(1), "--build-dir", str(built)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = "".join(line.rstrip() + "\n" for line in done.stdout.splitlines())
    assert shown.group(1) == answer, "update README.md's first-query block with the query's output"


def test_model_diagram_matches_the_ontology() -> None:
    from cytokg.compile.pipeline import parse_turtle
    from cytokg.docs import model_diagram, read_block

    expected = f"```mermaid\n{model_diagram(parse_turtle(ROOT / 'ontology' / 'cytokg-edit.ttl'))}```\n"
    assert read_block(ROOT / "docs" / "model.md", "model") == expected, "run `cytokg diagram --update docs/model.md`"
