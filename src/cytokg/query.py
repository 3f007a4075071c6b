"""Run a SPARQL query against the store and format the answer for the terminal."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from .errors import InputError
from .store import Queryable

__all__ = ["Table", "format_results", "run_query_text", "term_text"]


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
