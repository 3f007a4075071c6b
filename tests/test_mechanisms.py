"""Mechanisms an expert expects (issue 16): inflammasome processing, shedding, sgp130 buffering, NF-kappaB."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from cytokg.compile.curated import load_curated
from cytokg.compile.processing import add_processing
from cytokg.errors import InputError
from cytokg.store import open_store

from .conftest import ONTOLOGY, select

PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX form: <https://w3id.org/cytokg/form/>
PREFIX cx: <https://w3id.org/cytokg/complex/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""


def _symbols(built: Path, form: str, prop: str) -> set[str]:
    query = PREFIXES + f"SELECT ?s WHERE {{ form:{form} cyto:{prop}/cyto:hgncSymbol ?s }}"
    return {row["s"].value for row in select(open_store(built / "oxigraph"), query)}


def test_inflammasome_processing_of_il1b_and_il18(built: Path) -> None:
    for cytokine in ("IL1B", "IL18"):
        mature = f"{cytokine}-mature"
        assert _symbols(built, mature, "cleavedBy") == {"CASP1"}
        assert _symbols(built, mature, "processedByInflammasomeWith") == {"NLRP3", "PYCARD", "CASP1"}
        assert _symbols(built, mature, "releasedThrough") == {"GSDMD"}
        query = PREFIXES + f"ASK {{ form:{mature} a cyto:MatureForm ; cyto:cleavedFrom form:{cytokine}-precursor . "
        query += f"form:{cytokine}-precursor a cyto:PrecursorForm }}"
        assert open_store(built / "oxigraph").query(query)


def test_shedding_by_adam17_and_adam10(built: Path) -> None:
    assert _symbols(built, "IL6R-soluble", "cleavedBy") == {"ADAM17", "ADAM10"}
    assert _symbols(built, "TNF-soluble", "cleavedBy") == {"ADAM17"}


def test_sgp130_buffers_il6_trans_signaling_only(built: Path) -> None:
    query = (
        PREFIXES
        + """SELECT ?c WHERE { ?il6 cyto:hgncSymbol "IL6" ; cyto:hasReceptor ?c .
        ?c cyto:signalingMechanism cyto:DecoyBinding ;
           cyto:hasLigandBindingSubunit form:IL6ST-soluble, form:IL6R-soluble .
        FILTER NOT EXISTS { ?c cyto:hasSignalTransducingSubunit ?any } }"""
    )
    assert len(select(open_store(built / "oxigraph"), query)) == 1


def test_nf_kappab_downstream_of_il1_family_and_tnf_receptors(built: Path) -> None:
    query = PREFIXES + "SELECT ?c WHERE { ?c cyto:signalsVia obo:GO_0007249 }"
    found = {row["c"].value.rsplit("/", 1)[-1] for row in select(open_store(built / "oxigraph"), query)}
    expected = {"IL1R1-IL1RAP", "IL18R1-IL18RAP", "IL1RL1-IL1RAP", "IL1RL2-IL1RAP", "TNFRSF1A", "TNFRSF1B"}
    assert found == expected
    kept = PREFIXES + "ASK { cx:IL1R1-IL1RAP cyto:signalsVia obo:GO_0070498 }"  # the first pathway stays
    assert open_store(built / "oxigraph").query(kept)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("IL1B-mature\tcleavage\tCASP1\t", "IL1B-mature\tcleavage\tCASP99\t", "unknown gene symbol 'CASP99'"),
        ("TNF-soluble\tcleavage\t", "TNF-soluble\tshedding\t", "unknown step 'shedding'"),
    ],
)
def test_a_bad_processing_row_names_file_line_and_rule(tmp_path: Path, old: str, new: str, says: str) -> None:
    copy = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, copy)
    table = copy / "data" / "protein_processing.tsv"
    text = table.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    table.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        add_processing(Graph(), load_curated(copy))
    assert caught.value.path.name == "protein_processing.tsv" and caught.value.line == line
    assert says in str(caught.value) and "(fix: " in str(caught.value)
