"""Run the QC queries (``queries/qc/*.rq``): each must return zero rows (ROBOT verify semantics)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

__all__ = ["QcResult", "read_header", "run_qc"]


@dataclass(frozen=True)
class QcResult:
    """The rows one check returned, with its ``# Check:`` and ``# Fix:`` text."""

    name: str
    check: str
    fix: str
    rows: list[tuple[str, ...]]


def read_header(path: Path) -> dict[str, str]:
    """The ``# Key: value`` comment lines at the top of a query file."""
    header: dict[str, str] = {}
    last = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("#   ") and last:  # an indented line continues the previous key
            header[last] += " " + line.strip("# ").strip()
            continue
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            last = key.strip().lower()
            header[last] = value.strip()
    return header


def _term_text(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def run_qc(store: pyoxigraph.Store, qc_dir: Path) -> list[QcResult]:
    """Run every ``*.rq`` in ``qc_dir`` against ``store``; the directory is the list of checks."""
    results = []
    for path in sorted(qc_dir.glob("*.rq")):
        header = read_header(path)
        solutions = store.query(path.read_text(encoding="utf-8"))
        names = [variable.value for variable in solutions.variables]
        rows = [tuple(_term_text(solution[name]) for name in names) for solution in solutions]
        results.append(QcResult(path.stem, header.get("check", ""), header.get("fix", ""), rows))
    return results
