"""One gate's outcome, as the build, ``cytokg check`` and the gate cache pass it around."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GateReport"]


@dataclass(frozen=True)
class GateReport:
    """One gate's outcome: passed, failed, or could not run (a missing tool).

    ``seconds`` is the gate's own wall time; ``reused`` says it came from the gate cache (inputs unchanged).
    """

    name: str
    status: str  # "pass" | "fail" | "missing-tool" | "skipped" (an earlier gate's failure makes it meaningless)
    lines: list[str]
    seconds: float = 0.0
    reused: bool = False

    @property
    def ok(self) -> bool:
        """Whether the gate passed."""
        return self.status == "pass"
