"""Validate the graph against the SHACL shapes in ``shapes/`` with pySHACL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from .errors import InputError

__all__ = ["ShaclResult", "load_shapes", "validate"]


@dataclass(frozen=True)
class ShaclResult:
    """pySHACL's verdict: violations fail, warnings are reported only."""

    conforms: bool
    violations: list[str]
    warnings: list[str]
    text: str


def load_shapes(shapes_dir: Path) -> Graph:
    """All ``*.ttl`` shape files of ``shapes_dir`` in one graph."""
    shapes = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def _messages(report: Graph, severity: object) -> list[str]:
    lines = []
    for result in report.subjects(SH.resultSeverity, severity):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        lines.append(f"{focus} [{path}] {message} (shape {shape})")
    return sorted(lines)


def validate(data: Graph, shapes_dir: Path) -> ShaclResult:
    """Validate ``data`` (asserted graph plus reasoner-inferred types) against the shapes."""
    from pyshacl import validate as pyshacl_validate

    _, report, text = pyshacl_validate(
        data, shacl_graph=load_shapes(shapes_dir), inference="none", advanced=True, allow_warnings=True
    )
    if not isinstance(report, Graph):  # pySHACL returns a ValidationFailure for broken shapes
        raise InputError(shapes_dir, None, f"SHACL shapes could not be used: {report}", "fix the shapes")
    violations = _messages(report, SH.Violation)
    return ShaclResult(not violations, violations, _messages(report, SH.Warning), str(text))
