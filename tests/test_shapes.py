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


@pytest.fixture(scope="module")
def tbox(built: Path) -> Graph:
    """The shared build's TBox (cytokg-ontology.owl), parsed once for the module; read it, never change it."""
    return Graph().parse(built / "cytokg-ontology.owl", format="xml")


def _with_tbox(tbox: Graph, fixture: Path) -> Graph:
    """A copy of the TBox (its triples and prefixes) with ``fixture`` parsed into it."""
    graph = Graph()
    for prefix, namespace in tbox.namespaces():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph += tbox
    return graph.parse(fixture, format="turtle")


@pytest.mark.parametrize("fixture", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(tbox: Graph, fixture: Path) -> None:
    result = validate(_with_tbox(tbox, fixture), SHAPES)
    assert result.conforms, result.violations


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_violates(tbox: Graph, fixture: Path) -> None:
    result = validate(_with_tbox(tbox, fixture), SHAPES)
    assert not result.conforms, f"{fixture.name} should violate a shape"
    assert len(result.violations) >= 1
    for line in result.violations:  # a named shape (never a blank node id) and a fix
        assert "(shape cshape:" in line and "; fix: " in line, line


def test_real_build_conforms_with_inferred_types(built: Path) -> None:
    text = (built / "reports" / "shacl.txt").read_text()
    assert text.startswith("shacl: pass")
