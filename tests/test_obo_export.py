"""The OBO export: the OWL API writes the TBox as OBO that an OBO reader takes back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cytokg.cli import main
from cytokg.curation.obo import read_obo
from cytokg.owlapi import owlapi_available

from .conftest import need


def test_obo_export_round_trips(built: Path, tmp_path: Path) -> None:
    need(owlapi_available(), "the OWL API is needed: apt-get install libowlapi-java")
    out = tmp_path / "cytokg.obo"
    result = CliRunner().invoke(main, ["export", "obo", "--build-dir", str(built), "--out", str(out)])
    assert result.exit_code == 0, result.output
    version, terms = read_obo(out)
    assert version.endswith("/cytokg-ontology.owl"), "data-version is the TBox file's version IRI"
    chemokine = terms["https://w3id.org/cytokg/vocab/Chemokine"]
    assert chemokine.name == "chemokine"
    assert "https://w3id.org/cytokg/vocab/Cytokine" in chemokine.parents
    assert terms["CL:0000236"].name == "B cell", "imported OBO terms keep their CURIE ids"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_obo_export_needs_a_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "obo", "--build-dir", str(tmp_path)])
    assert result.exit_code == 2 and "cytokg build" in result.output
