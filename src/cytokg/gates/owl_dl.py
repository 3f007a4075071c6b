"""The OWL 2 DL gate: load release files with the OWL API and report every profile violation or unparsed triple."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cytokg.owlapi import run_owlapi_tool

__all__ = ["ProfileResult", "check_owl_profile"]


@dataclass(frozen=True)
class ProfileResult:
    """Whether every file loaded cleanly and in profile, with the tool's lines."""

    ok: bool
    lines: list[str]


def check_owl_profile(files: list[Path]) -> ProfileResult:
    """Run the OWL API check on ``files``; the result is ok only when all are clean."""
    done = run_owlapi_tool("OwlProfileCheck", [str(f) for f in files])
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return ProfileResult(done.returncode == 0, lines)
