"""Errors that carry the file, the line and the fix, so the CLI can print one clear line."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GateFailure", "InputError"]


class InputError(Exception):
    """Bad curated input: names the file, the line, the rule broken and how to fix it."""

    def __init__(self, path: Path | str, line: int | None, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else f"{self.path}"
        return f"{where}: {self.problem} (fix: {self.fix})"


class GateFailure(Exception):
    """A quality gate found problems; the message lists them."""
