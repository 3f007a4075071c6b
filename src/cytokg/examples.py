"""The curated example queries (queries/examples/*.rq) and their expected answers (*.expected.tsv)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .query import Table

__all__ = ["answer_difference", "expected_answer", "has_order_by"]


def expected_answer(query_file: Path) -> Table:
    """The expected answer stored beside a query file."""
    with query_file.with_suffix(".expected.tsv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return Table(rows[0], rows[1:])


def has_order_by(text: str) -> bool:
    """Whether the query fixes its row order (comments ignored).

    >>> has_order_by("# ORDER BY in a comment\\nSELECT ?s WHERE { ?s ?p ?o }")
    False
    """
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\bORDER\s+BY\b", code, re.IGNORECASE) is not None


def _cell(cell: str) -> str:
    """A GROUP_CONCAT cell with its parts sorted: SPARQL leaves the concatenation order open."""
    return "|".join(sorted(cell.split("|")))


def answer_difference(answer: Table, expected: Table, ordered: bool) -> str | None:
    """None if ``answer`` equals ``expected`` (row order compared only if ``ordered``), else what differs.

    >>> answer_difference(Table(["a"], [["1"], ["2"]]), Table(["a"], [["2"], ["1"]]), ordered=False) is None
    True
    >>> answer_difference(Table(["a"], [["1"], ["2"]]), Table(["a"], [["2"], ["1"]]), ordered=True)
    'row 1: got 1, expected 2'
    """
    if answer.columns != expected.columns:
        return f"columns {answer.columns}, expected {expected.columns}"
    got = [tuple(_cell(c) for c in row) for row in answer.rows]
    want = [tuple(_cell(c) for c in row) for row in expected.rows]
    if not ordered:
        got, want = sorted(got), sorted(want)
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}"
    for number, (row, wanted) in enumerate(zip(got, want, strict=True), start=1):
        if row != wanted:
            return f"row {number}: got {' | '.join(row)}, expected {' | '.join(wanted)}"
    return None
