"""Every QC check returns zero rows on the real build and fires on its own fixture."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest

from cytokg.curation.obo import read_obo
from cytokg.gates.qc import run_qc
from cytokg.queries import read_header
from cytokg.store import open_store

from .conftest import RESOURCES, ROOT, need_refdata

QC_DIR = ROOT / "queries" / "qc"
CHECKS = sorted(path.stem for path in QC_DIR.glob("*.rq"))


def test_there_are_checks() -> None:
    assert len(CHECKS) >= 10


@pytest.mark.parametrize("name", CHECKS)
def test_check_has_header_and_fixture(name: str) -> None:
    header = read_header(QC_DIR / f"{name}.rq")
    assert header.get("check") and header.get("fix"), "open the file with '# Check:' and '# Fix:' lines"
    assert (RESOURCES / "qc" / f"{name}.ttl").exists(), f"add tests/resources/qc/{name}.ttl that makes it fire"


def test_real_build_passes_every_check(built: Path) -> None:
    failing = {r.name: r.rows[:5] for r in run_qc(open_store(built / "oxigraph"), QC_DIR) if r.rows}
    assert not failing


@pytest.mark.parametrize("name", CHECKS)
def test_check_fires_on_its_fixture(name: str, tmp_path: Path) -> None:
    store = pyoxigraph.Store()
    store.load(path=str(RESOURCES / "qc" / f"{name}.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    only = tmp_path / "qc"
    only.mkdir()
    (only / f"{name}.rq").write_text((QC_DIR / f"{name}.rq").read_text())
    (result,) = run_qc(store, only)
    assert result.rows, f"{name} did not fire on its fixture"
    assert all(len(row) == 3 for row in result.rows), "return ?entity ?property ?value"


def test_regulates_check_lists_every_ro_regulates_relation() -> None:
    """The check's relations are RO:0002211 and all its subproperties in the reference RO, no more, no fewer."""
    _, terms = read_obo(need_refdata() / "ro" / "ro.obo")
    closure = {"RO:0002211"}
    while grown := {t.curie for t in terms.values() if set(t.parents) & closure} - closure:
        closure |= grown
    text = (QC_DIR / "regulates-between-processes.rq").read_text(encoding="utf-8")
    listed = {f"RO:{number}" for number in re.findall(r"obo:RO_(\d{7})", text.split("VALUES", 1)[1].split("}", 1)[0])}
    assert listed == closure
