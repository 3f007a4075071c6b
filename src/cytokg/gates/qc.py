"""Run the QC queries (``queries/qc/*.rq``): each must return zero rows (ROBOT verify semantics)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph

from cytokg.errors import InputError
from cytokg.queries import read_header, term_text
from cytokg.reading import read_query
from cytokg.store import Queryable

__all__ = ["QcCheck", "QcResult", "load_checks", "run_qc"]


@dataclass(frozen=True)
class QcResult:
    """The rows one check returned, with its ``# Check:`` and ``# Fix:`` text."""

    name: str
    check: str
    fix: str
    rows: list[tuple[str, ...]]


@dataclass(frozen=True)
class QcCheck:
    """One QC query, read and parsed, with its ``# Check:`` and ``# Fix:`` text."""

    name: str
    check: str
    fix: str
    query: str


def load_checks(qc_dir: Path) -> list[QcCheck]:
    """Read and parse every ``*.rq`` in ``qc_dir``; a broken or undocumented check is an input error."""
    if not qc_dir.is_dir():
        raise InputError(qc_dir, None, "folder of QC checks not found", "pass --queries-dir with a qc/ folder")
    checks = []
    for path in sorted(qc_dir.glob("*.rq")):
        query = read_query(path)
        header = read_header(path)
        for key in ("Check", "Fix"):
            if not header.get(key.lower()):
                raise InputError(path, 1, f"no '# {key}:' line at the top", f"start the file with '# {key}: …'")
        if not isinstance(pyoxigraph.Store().query(query), pyoxigraph.QuerySolutions):
            raise InputError(
                path, None, "a QC check must be a SELECT query", "rewrite it as SELECT ?entity ?property ?value"
            )
        checks.append(QcCheck(path.stem, header["check"], header["fix"], query))
    return checks


def run_qc(store: Queryable, qc_dir: Path) -> list[QcResult]:
    """Run every ``*.rq`` in ``qc_dir`` against ``store``; the directory is the list of checks."""
    results = []
    for check in load_checks(qc_dir):
        solutions = cast(pyoxigraph.QuerySolutions, store.query(check.query))  # load_checks admits SELECT only
        names = [variable.value for variable in solutions.variables]
        rows = [tuple(term_text(solution[name]) for name in names) for solution in solutions]
        results.append(QcResult(check.name, check.check, check.fix, rows))
    return results
