"""Read the curated tab-separated tables with their line numbers, checking the header."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cytokg.errors import InputError
from cytokg.reading import read_text

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


def _check_header(path: Path, line: int, found: list[str], columns: Sequence[str]) -> None:
    expected = list(columns)
    if found == expected:
        return
    problem = f"header is {found}, expected {expected}"
    for name in found:
        if found.count(name) > 1:
            problem = f"column '{name}' appears twice in the header"
            break
    else:
        if set(found) == set(expected):
            problem = "header has the right columns in the wrong order"
        elif found and not found[-1]:
            problem = "header ends with a tab"
        elif missing := [c for c in expected if c not in found]:
            problem = f"header lacks column(s) {missing}"
        elif extra := [c for c in found if c not in expected]:
            problem = f"header has unknown column(s) {extra}"
    raise InputError(path, line, problem, "use exactly these tab-separated columns: " + " ".join(expected))


def _cells(path: Path, number: int, text: str, columns: Sequence[str]) -> list[str]:
    cells = text.split("\t")
    if len(cells) > len(columns) and not any(cell.strip() for cell in cells[len(columns) :]):
        raise InputError(path, number, "row ends with extra tab(s)", "delete the trailing tabs")
    if len(cells) != len(columns):
        raise InputError(
            path,
            number,
            f"row has {len(cells)} columns, expected {len(columns)} ({', '.join(columns)})",
            "separate every column with one tab; leave empty cells empty",
        )
    return cells


def read_table(path: Path, columns: Sequence[str]) -> Iterator[Row]:
    """Yield the rows of a TSV file whose header must be exactly ``columns``.

    Lines starting with ``#`` are comments; blank lines are skipped.
    """
    lines = read_text(path).split("\n")
    content = [(n, t) for n, t in enumerate(lines, start=1) if t.strip() and not t.startswith("#")]
    if not content:
        raise InputError(path, None, "table has no header", "add the header: " + "\t".join(columns))
    header_line, header = content[0]
    _check_header(path, header_line, header.split("\t"), columns)
    for number, text in content[1:]:
        cells = _cells(path, number, text, columns)
        yield Row(path, number, {column: cell.strip() for column, cell in zip(columns, cells, strict=True)})
