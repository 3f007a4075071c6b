"""Catalog coverage: every human cytokine and receptor gene, the extras the model needs, the minimum counts."""

from __future__ import annotations

import csv
from pathlib import Path

from cytokg.compile.curated import load_curated
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
