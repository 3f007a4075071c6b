"""Cell links the Cell Ontology states: ``cytokg curate cell-evidence`` and the CL citation it adds to a fact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from cytokg.compile.cells import CELL_ONTOLOGY_SOURCE, STATED_EVIDENCE
from cytokg.compile.curated import Curated, load_curated
from cytokg.compile.facts import entity_iri
from cytokg.curation.cell_evidence import curate_cell_evidence
from cytokg.errors import InputError
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDFS, obo_iri

from .conftest import ONTOLOGY, need_refdata

TABLE = ONTOLOGY / "data" / "cell_link_evidence.tsv"
IL17A = URIRef("https://w3id.org/cytokg/protein/HGNC_5981")
TH17 = obo_iri("CL:0000899")


def test_the_command_reproduces_the_committed_table(tmp_path: Path) -> None:
    refdata = need_refdata()
    first, second = tmp_path / "first.tsv", tmp_path / "second.tsv"
    count = curate_cell_evidence(refdata, ONTOLOGY, first)
    curate_cell_evidence(refdata, ONTOLOGY, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8")
    assert count > 30


def test_th17_il17a_cites_the_cell_ontology(compiled_reads: tuple[Graph, Curated, set[tuple[str, str]]]) -> None:
    rows = [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("IL17A\t")]
    assert ["IL17A", "producedBy", "CL:0000899", "axiom"] == rows[0][:4]
    assert rows[0][4] == "T-helper 17 cell (CL:0000899) capable of interleukin-17 production (GO:0032620)"
    graph = compiled_reads[0]
    cl_source = entity_iri("source", CELL_ONTOLOGY_SOURCE)
    axioms = [
        axiom
        for axiom in graph.subjects(OWL.annotatedSource, IL17A)
        if (axiom, OWL.annotatedProperty, CYTO.producedBy) in graph
        and (axiom, OWL.annotatedTarget, TH17) in graph
        and (axiom, DCTERMS.source, cl_source) in graph
    ]
    assert len(axioms) == 1
    assert (axioms[0], CYTO.evidence, obo_iri(STATED_EVIDENCE)) in graph
    assert (axioms[0], RDFS.comment, Literal(rows[0][4], lang="en")) in graph
    curators = [a for a in graph.subjects(OWL.annotatedTarget, TH17) if (a, OWL.annotatedSource, IL17A) in graph]
    assert len(curators) > len(axioms), "the curator's citation stays beside CL's"
    assert (cl_source, RDFS.label, None) in graph


def test_a_link_only_cl_supports_is_refused(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, ontology)
    table = ontology / "data" / "cell_link_evidence.tsv"
    lines = table.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith("IL17A\t"))
    lines[number - 1] = lines[number - 1].replace("CL:0000899", "CL:0000084")
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_curated(ontology)
    message = str(caught.value)
    assert f"cell_link_evidence.tsv:{number}" in message
    assert "is not in cell_links*.tsv" in message
