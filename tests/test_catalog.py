"""Catalog coverage: every human cytokine and receptor gene, the extras the model needs, the minimum counts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import CURIE_PATTERN, TABLES, Curated, load_curated
from cytokg.compile.tables import split_multi
from cytokg.namespaces import CYTO, OWL, RDF, RDFS, obo_iri
from cytokg.queries import compute_stats
from cytokg.store import open_store

from .conftest import ONTOLOGY, ROOT, need_refdata

#: Protein-coding genes of hgnc_cytokines.tsv left out on purpose, with the reason.
EXCLUDED = {"BMP1": "an astacin metalloprotease that HGNC groups with BMPs; not a TGF-beta family ligand"}
#: Genes the catalog must hold beyond hgnc_cytokines.tsv (issue 4).
EXTRAS = [
    "LEP",
    "ADIPOQ",
    "RETN",
    "NAMPT",
    "EPO",
    "THPO",
    "KITLG",
    "FLT3LG",
    "JAK1",
    "JAK2",
    "JAK3",
    "TYK2",
    "STAT1",
    "STAT2",
    "STAT3",
    "STAT4",
    "STAT5A",
    "STAT5B",
    "STAT6",
    "MYD88",
    "IRAK1",
    "IRAK4",
    "TRAF2",
    "TRAF6",
    "SMAD2",
    "SMAD3",
    "SMAD4",
]
MINIMUMS = {"ligand_receptor_bindings": 250, "gene_products": 300, "receptor_complexes": 100, "cytokines": 150}


def test_every_protein_coding_cytokine_gene_is_in_the_catalog() -> None:
    refdata = need_refdata()
    with (refdata / "hgnc" / "hgnc_cytokines.tsv").open(newline="", encoding="utf-8") as handle:
        wanted = {
            r["symbol"]
            for r in csv.DictReader(handle, delimiter="\t")
            if r["locus_type"] == "gene with protein product"
        }
    assert len(wanted) == 294
    have = set(load_curated(ONTOLOGY).gene_kinds)
    missing = wanted - have - set(EXCLUDED)
    assert not missing, f"add to ontology/data/gene_products*.tsv: {sorted(missing)}"
    assert not set(EXCLUDED) & have, "an excluded gene is in the catalog: update EXCLUDED with the reason"


def test_model_extras_are_in_the_catalog() -> None:
    have = set(load_curated(ONTOLOGY).gene_kinds)
    assert not [s for s in EXTRAS if s not in have]


def test_minimum_counts(built: Path) -> None:
    counts = compute_stats(open_store(built / "oxigraph"), ROOT / "queries" / "stats")
    short = {name: (counts[name], least) for name, least in MINIMUMS.items() if counts[name] < least}
    assert not short, short


def test_every_gene_product_kind_has_a_class_row() -> None:
    """Receptor chains and signaling proteins each carry a class membership with a source."""
    curated = load_curated(ONTOLOGY)
    with_class = {row["symbol"] for row in curated.rows("family_memberships.tsv")}
    lacking = [s for s, kind in curated.gene_kinds.items() if kind == "receptor_chain" and s not in with_class]
    assert not lacking, f"give these receptor chains a receptor class: {lacking}"


def test_every_curated_column_is_read(compiled_reads: tuple[Graph, Curated, set[tuple[str, str]]]) -> None:
    """No column is silently dropped: compiling the real tables reads every column of every table."""
    _, _, read = compiled_reads
    unread = [(name, column) for name, columns in TABLES.items() for column in columns if (name, column) not in read]
    assert not unread, f"publish these columns in the graph or refuse them: {unread}"


#: Columns the graph carries in another form, and how.
TRANSFORMED = {
    ("source_claims.tsv", "flag"): "the curators' flag becomes the claim's status and a correction in words",
    ("corrections.tsv", "facts"): "the facts modelled instead carry cyto:partOfCorrection on their axioms",
}


@pytest.mark.parametrize("name", list(TABLES))
def test_every_curated_cell_reaches_the_graph(
    compiled_reads: tuple[Graph, Curated, set[tuple[str, str]]], name: str
) -> None:
    """What is read is written: every CURIE of every cell is an IRI of the graph, and every free-text cell (a
    column with a space in some value: notes, contexts, labels) is in a literal of the graph, part by part."""
    graph, curated, _ = compiled_reads
    literals = "\x1f".join(str(o) for o in graph.objects() if isinstance(o, Literal))
    iris = {str(node) for triple in graph for node in triple if isinstance(node, URIRef)}
    lost: list[str] = []
    for column in (c for c in TABLES[name] if (name, c) not in TRANSFORMED):
        rows = [row for row in curated.rows(name) if row[column]]
        text = any(" " in row[column] for row in rows)
        for row in rows:
            for part in split_multi(row[column]) if "|" in row[column] else [row[column]]:
                if CURIE_PATTERN.match(part) and str(obo_iri(part)) not in iris:
                    lost.append(f"{row.path.name}:{row.line} {column} {part}")
                elif text and not CURIE_PATTERN.match(part) and part not in literals:
                    lost.append(f"{row.path.name}:{row.line} {column} {part!r}")
    assert not lost, f"{len(lost)} cells are read but not in the graph, e.g. {lost[:5]}"


def test_notes_cells_and_states_are_on_the_facts_axioms(
    compiled_reads: tuple[Graph, Curated, set[tuple[str, str]]],
) -> None:
    """A regulation's cells and a cell link's state are annotations on the fact's axiom, next to its note."""
    graph, _, _ = compiled_reads
    il6, crp = URIRef("https://w3id.org/cytokg/protein/HGNC_6018"), URIRef("https://w3id.org/cytokg/protein/HGNC_2367")
    (axiom,) = [
        axiom
        for axiom in graph.subjects(OWL.annotatedTarget, crp)
        if (axiom, OWL.annotatedSource, il6) in graph
        and (axiom, OWL.annotatedProperty, CYTO.inducesExpressionOf) in graph
        and (axiom, CYTO.context, None) in graph  # the curators' citation; source 003's carries no qualifiers
    ]
    assert set(graph.objects(axiom, CYTO.inCellType)) == {obo_iri("CL:0000182")}
    assert Literal("hepatocytes", lang="en") in set(graph.objects(axiom, CYTO.context))
    assert any("hepatocytes" in str(c) for c in graph.objects(axiom, RDFS.comment))
    states = {state for axiom in graph.subjects(RDF.type, OWL.Axiom) for state in graph.objects(axiom, CYTO.cellState)}
    assert states == {CYTO.ActivatedCell, CYTO.StimulusInducedCell, CYTO.ConstitutiveCell, CYTO.PreformedStore}
