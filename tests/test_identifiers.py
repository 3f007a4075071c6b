"""Every identifier agrees with the reference data in ../shared/refdata."""

from __future__ import annotations

import csv

from cytokg.compile.curated import load_curated
from cytokg.compile.tables import read_table
from cytokg.curation.go_release import GO_REVIEWED_COLUMNS
from cytokg.curation.hgnc import load_complete_set
from cytokg.curation.obo import read_obo

from .conftest import ONTOLOGY, need_refdata


def test_hgnc_table_agrees_with_hgnc() -> None:
    refdata = need_refdata()
    hgnc = load_complete_set(refdata / "hgnc" / "hgnc_complete_set.txt")
    curated = load_curated(ONTOLOGY)
    assert curated.hgnc, "no genes curated"
    for symbol, gene in curated.hgnc.items():
        assert symbol in hgnc, f"{symbol} is not an approved HGNC symbol"
        assert gene == hgnc[symbol], f"{symbol}: run `cytokg curate hgnc` to refresh from HGNC"


def test_every_gene_product_has_uniprot_and_ncbi_gene() -> None:
    """Ensembl may be absent only where HGNC has none (CCL4L1 lies outside the primary assembly)."""
    curated = load_curated(ONTOLOGY)
    no_ensembl = []
    for row in curated.rows("gene_products.tsv"):
        gene = curated.hgnc[row["symbol"]]
        assert gene.uniprot_ids and gene.entrez_id, row["symbol"]
        if not gene.ensembl_gene_id:
            no_ensembl.append(gene.symbol)
    assert no_ensembl == ["CCL4L1"], "a new gene product without an Ensembl ID: check HGNC and update this list"


def test_cell_ontology_terms_and_labels() -> None:
    refdata = need_refdata()
    with (refdata / "cell_ontology" / "cl_terms.tsv").open(newline="") as handle:
        cl = {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}
    terms = load_curated(ONTOLOGY).terms
    used = [t for t in terms.values() if t.curie.startswith("CL:")]
    assert used
    for term in used:
        assert term.curie in cl, f"{term.curie} is not in the Cell Ontology"
        assert cl[term.curie]["obsolete"] == "false", f"{term.curie} is obsolete"
        assert cl[term.curie]["label"] == term.label, (
            f"{term.curie}: label '{term.label}' != CL '{cl[term.curie]['label']}'"
        )


def test_eco_and_ro_terms_and_labels() -> None:
    refdata = need_refdata()
    _, eco = read_obo(refdata / "eco" / "eco.obo")
    _, ro = read_obo(refdata / "ro" / "ro.obo")
    for term in load_curated(ONTOLOGY).terms.values():
        prefix = term.curie.split(":")[0]
        reference = {"ECO": eco, "RO": ro, "BFO": ro}.get(prefix)
        if reference is None:
            continue
        assert term.curie in reference, f"{term.curie} unknown"
        assert not reference[term.curie].obsolete
        assert reference[term.curie].name == term.label, term.curie


def test_go_terms_are_in_go_partial_or_reviewed() -> None:
    refdata = need_refdata()
    _, partial = read_obo(next((refdata / "go_partial").glob("*.obo")))
    reviewed = {r["id"]: r for r in read_table(ONTOLOGY / "imports" / "go_reviewed.tsv", GO_REVIEWED_COLUMNS)}
    for term in load_curated(ONTOLOGY).terms.values():
        if not term.curie.startswith("GO:"):
            continue
        if term.curie in partial:
            assert partial[term.curie].name == term.label, term.curie
        else:
            assert term.curie in reviewed and reviewed[term.curie]["reason"], f"{term.curie} needs a reviewed reason"
            assert reviewed[term.curie]["aspect"] and reviewed[term.curie]["parents"], f"{term.curie}: fill from GO"


def test_curated_terms_table_is_current() -> None:
    """The committed imports table lists exactly the terms the sources use (plus their ancestors)."""
    from cytokg.curation.terms import collect_curies

    terms = load_curated(ONTOLOGY).terms
    missing = collect_curies(ONTOLOGY) - set(terms)
    assert not missing, f"run `cytokg curate terms`: {sorted(missing)}"
