"""The curated query files (``queries/``): their headers, running them, their expected answers and the stats counts."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from cytokg.errors import InputError
from cytokg.reading import read_text
from cytokg.store import Queryable

__all__ = [
    "Table",
    "answer_difference",
    "compute_stats",
    "expected_answer",
    "format_results",
    "format_stats",
    "has_order_by",
    "read_header",
    "run_query_text",
    "term_text",
]


@dataclass(frozen=True)
class Table:
    """A SELECT or ASK answer as plain strings."""

    columns: list[str]
    rows: list[list[str]]


def term_text(term: object) -> str:
    """A term's lexical form (IRIs without brackets, literals without quotes)."""
    return "" if term is None else str(getattr(term, "value", term))


def run_query_text(store: Queryable, text: str, origin: Path | str = "<query>") -> Table:
    """Run a SELECT or ASK query; a syntax error becomes an input error naming ``origin``."""
    try:
        answer = store.query(text)
    except SyntaxError as error:
        raise InputError(origin, None, f"SPARQL syntax error: {error}", "correct the query") from error
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Table(["result"], [["true" if bool(answer) else "false"]])
    if isinstance(answer, pyoxigraph.QuerySolutions):
        columns = [variable.value for variable in answer.variables]
        return Table(columns, [[term_text(solution[c]) for c in columns] for solution in answer])
    raise InputError(origin, None, "only SELECT and ASK queries can be printed", "use the /sparql endpoint for graphs")


def format_results(table: Table, fmt: str) -> str:
    """Render a table as an aligned text table, CSV, TSV or JSON."""
    if fmt == "json":
        return json.dumps([dict(zip(table.columns, row, strict=True)) for row in table.rows], indent=1) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        return buffer.getvalue()
    widths = [max([len(c)] + [len(r[i]) for r in table.rows]) for i, c in enumerate(table.columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in table.rows]
    return "\n".join(lines) + f"\n({len(table.rows)} rows)\n"


def read_header(path: Path) -> dict[str, str]:
    """The ``# Key: value`` comment lines at the top of a query file."""
    header: dict[str, str] = {}
    last = ""
    for line in read_text(path).splitlines():
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


def compute_stats(store: Queryable, stats_dir: Path) -> dict[str, int]:
    """Run each ``*.rq`` (one row, one ``?count``) and return name → count."""
    counts: dict[str, int] = {}
    for path in sorted(stats_dir.glob("*.rq")):
        table = run_query_text(store, path.read_text(encoding="utf-8"), path)
        counts[path.stem] = int(table.rows[0][0]) if table.rows else 0
    return counts


def format_stats(counts: dict[str, int], fmt: str) -> str:
    """Render counts as a table, TSV or JSON."""
    if fmt == "json":
        return json.dumps(counts, indent=1, sort_keys=True) + "\n"
    if fmt == "tsv":
        return "".join(f"{name}\t{count}\n" for name, count in counts.items())
    width = max((len(name) for name in counts), default=0)
    return "".join(f"{name.ljust(width)}  {count:>7}\n" for name, count in counts.items())
