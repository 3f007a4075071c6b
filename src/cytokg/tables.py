"""Read the curated tab-separated tables with their line numbers, checking the header."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

__all__ = ["Row", "read_table", "split_multi"]


@dataclass(frozen=True)
class Row:
    """One table row with the file and line it came from."""

    path: Path
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def error(self, problem: str, fix: str) -> InputError:
        """Return an input error pointing at this row."""
        return InputError(self.path, self.line, problem, fix)

    def required(self, column: str) -> str:
        """Return a column's value, or fail if it is empty."""
        value = self.values[column]
        if not value:
            raise self.error(f"column '{column}' is empty", f"fill in '{column}'")
        return value


def split_multi(value: str) -> list[str]:
    """Split a ``|``-separated cell into its trimmed, non-empty parts.

    >>> split_multi("IL-6| BSF-2 |")
    ['IL-6', 'BSF-2']
    """
    return [part.strip() for part in value.split("|") if part.strip()]


def read_table(path: Path, columns: Sequence[str]) -> Iterator[Row]:
    """Yield the rows of a TSV file whose header must be exactly ``columns``.

    Lines starting with ``#`` are comments; blank lines are skipped.
    """
    if not path.exists():
        raise InputError(path, None, "file not found", "create it or check the path")
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(number, text) for number, text in enumerate(handle, start=1)]
    content = [(n, t.rstrip("\r\n")) for n, t in lines if t.strip() and not t.startswith("#")]
    if not content:
        raise InputError(path, None, "table has no header", "add the header: " + "\t".join(columns))
    header_line, header = content[0]
    found = header.split("\t")
    if found != list(columns):
        raise InputError(
            path,
            header_line,
            f"header is {found}, expected {list(columns)}",
            "use exactly these tab-separated column names in this order",
        )
    for number, text in content[1:]:
        cells = next(csv.reader([text], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) != len(columns):
            raise InputError(
                path,
                number,
                f"row has {len(cells)} columns, expected {len(columns)}",
                "separate every column with one tab; leave empty cells empty",
            )
        values = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
        yield Row(path, number, values)
