"""Every SHACL shape has a passing fixture and a failing one; the real build conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from cytokg.gates.shacl import validate

from .conftest import RESOURCES, ROOT

SHAPES = ROOT / "shapes"
VALID = sorted((RESOURCES / "shapes" / "valid").glob("*.ttl"))
INVALID = sorted((RESOURCES / "shapes" / "invalid").glob("*.ttl"))


def _with_tbox(built: Path, fixture: Path) -> Graph:
    graph = Graph().parse(built / "cytokg-ontology.owl", format="xml")
    return graph.parse(fixture, format="turtle")


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(built: Path, fixture: Path) -> None:
    result = validate(_with_tbox(built, fixture), SHAPES)
    assert result.conforms, result.violations


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_violates(built: Path, fixture: Path) -> None:
    result = validate(_with_tbox(built, fixture), SHAPES)
    assert not result.conforms, f"{fixture.name} should violate a shape"
    assert len(result.violations) >= 1
    for line in result.violations:  # a named shape (never a blank node id) and a fix
        assert "(shape cshape:" in line and "; fix: " in line, line


def test_real_build_conforms_with_inferred_types(built: Path) -> None:
    text = (built / "reports" / "shacl.txt").read_text()
    assert text.startswith("shacl: pass")
