"""The README cannot rot: every command in its code blocks runs, and prints what the README shows."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from cytokg.docs import read_block

from .conftest import ROOT, _serving, need


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


def _commands() -> list[tuple[str, list[str], str]]:
    """Every command line in README.md's ``sh`` code blocks: (the line, its words, its trailing ``# comment``)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.DOTALL):
        for line in block.splitlines():
            if line.strip():
                comment = re.search(r"\s#\s(.*)$", line)
                found.append((line, shlex.split(line, comments=True), comment.group(1).strip() if comment else ""))
    return found


#: What each `make` target's dry run (`make -n -B`) must show for the README's comment on it to be true.
MAKE_SHOWS = {
    "serve": ("python3 -m venv .venv", "pip install", "cytokg build", "cytokg serve --host 127.0.0.1 --port 8000"),
    "test": ("python3 -m venv .venv", "-e '.[test]'", "python -m pytest"),
}


def _make(target: str, readme: str) -> None:
    """`make TARGET` does what the README says: its dry run shows the steps and HOST=/PORT= reach the server."""
    dry = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for step in MAKE_SHOWS[target]:
        assert step in dry, f"`make {target}` no longer runs {step!r}; fix README.md or MAKE_SHOWS"
    for packages in re.findall(r'PACKAGES="([^"]*)"', dry):
        for package in packages.split():
            assert f"`{package}`" in readme, f"`make {target}` installs {package}; README.md should say so"
    if target == "serve":
        moved = ["make", "-n", "-B", "serve", "HOST=0.0.0.0", "PORT=9000"]
        moved_dry = subprocess.run(moved, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert "cytokg serve --host 0.0.0.0 --port 9000" in moved_dry, "HOST= and PORT= override the address"


def _cytokg(words: list[str], built: Path, readme: str) -> None:
    """`cytokg query` prints the README's first-query block; `cytokg serve` with the README's options serves."""
    command, options = words[1], words[2:]
    if command == "query":
        done = subprocess.run(
            [sys.executable, "-m", "cytokg", "query", *options, "--build-dir", str(built)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        answer = "".join(line.rstrip() + "\n" for line in done.stdout.splitlines())
        assert read_block(ROOT / "README.md", "first-query") == f"```\n{answer}```\n", (
            f"run `cytokg query {' '.join(options)} --update-readme README.md` to show its current answer"
        )
    elif command == "serve":
        with _serving(built, *options) as url:
            assert urllib.request.urlopen(url + "/healthz", timeout=10).status == 200
    else:
        pytest.fail(f"README.md runs `cytokg {command}`; teach tests/test_readme.py to check it")


def _curl(words: list[str], shown: str, server: str) -> None:
    """curl against a live server prints what the README's comment shows."""
    need(shutil.which("curl") is not None, "needs curl: apt-get install curl")
    words = [word.replace("http://127.0.0.1:8000", server) for word in words]
    done = subprocess.run(words, capture_output=True, text=True, timeout=60, check=True)
    assert shown, "show the answer in a comment after the curl command"
    assert done.stdout.strip() == shown, f"{' '.join(words)} printed {done.stdout!r}"


@pytest.mark.parametrize(("line", "words", "shown"), _commands(), ids=[line for line, _, _ in _commands()])
def test_readme_command_runs_and_shows_its_answer(
    line: str, words: list[str], shown: str, built: Path, live_server: str
) -> None:
    """Every command in the README's code blocks runs here, and prints what the README shows beside or below it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if words[0] == "make":
        _make(words[1], readme)
    elif words[0] == ".venv/bin/cytokg":
        _cytokg(words, built, readme)
    elif words[0] == "curl":
        _curl(words, shown, live_server)
    else:
        pytest.fail(f"README.md shows `{line}`; teach tests/test_readme.py to run it")


def test_readme_names_a_query_file_that_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"\bqueries/[\w/.-]+\.rq\b", readme)
    assert named, "README.md's first steps run an example query"
    missing = [path for path in named if not (ROOT / path).is_file()]
    assert not missing, f"README.md names query files that do not exist: {missing}"


def test_model_diagram_matches_the_ontology() -> None:
    from cytokg.compile.pipeline import parse_turtle
    from cytokg.docs import model_diagram, read_block

    expected = f"```mermaid\n{model_diagram(parse_turtle(ROOT / 'ontology' / 'cytokg-edit.ttl'))}```\n"
    assert read_block(ROOT / "docs" / "model.md", "model") == expected, "run `cytokg diagram --update docs/model.md`"
