"""Export the ontology (TBox) as OBO 1.4 with the OWL API's OBO writer, for OBO tooling."""

from __future__ import annotations

from pathlib import Path

from cytokg.errors import GateFailure
from cytokg.owlapi import run_owlapi_tool
from cytokg.writing import replacing

__all__ = ["export_obo"]


def export_obo(owl_file: Path, out: Path) -> None:
    """Write ``owl_file`` as OBO to ``out``, atomically; classes outside OBO keep their IRIs as ids."""
    with replacing(out) as temporary:
        done = run_owlapi_tool("OboExport", [str(owl_file), str(temporary)])
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise GateFailure(f"{owl_file}: the OWL API could not write OBO: {last}")
