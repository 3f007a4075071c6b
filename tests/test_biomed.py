"""Biology and medicine: minimum coverage, and every MONDO, UBERON, ChEBI and DrugBank identifier checked."""

from __future__ import annotations

import csv
from pathlib import Path

from cytokg.compile.curated import load_curated
from cytokg.queries import compute_stats
from cytokg.store import open_store

from .conftest import ONTOLOGY, ROOT, need_refdata, select

MINIMUMS = {
    "producer_links": 400,
    "responder_links": 300,
    "cytokines_with_cells": 80,
    "process_links": 150,
    "regulation_links": 60,
    "disease_associations": 300,
    "diseases": 40,
    "drugs": 40,
    "source_claims": 250,
}


def test_minimum_counts(built: Path) -> None:
    counts = compute_stats(open_store(built / "oxigraph"), ROOT / "queries" / "stats")
    short = {name: (counts[name], least) for name, least in MINIMUMS.items() if counts[name] < least}
    assert not short, short


def test_mondo_terms_exist_with_their_labels() -> None:
    refdata = need_refdata()
    with (refdata / "mondo" / "mondo_terms.tsv").open(newline="", encoding="utf-8") as handle:
        mondo = {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}
    used = [t for t in load_curated(ONTOLOGY).terms.values() if t.curie.startswith("MONDO:")]
    assert used
    for term in used:
        assert term.curie in mondo and mondo[term.curie]["obsolete"] == "false", term.curie
        expected = mondo[term.curie]["label"]
        assert expected == term.label, f"{term.curie}: '{term.label}' != '{expected}'"


def test_uberon_and_chebi_terms_exist_with_their_labels() -> None:
    from cellxgene_ontology_guide.ontology_parser import OntologyParser

    parser = OntologyParser()
    for term in load_curated(ONTOLOGY).terms.values():
        if term.curie.split(":")[0] in ("UBERON", "CHEBI"):
            assert parser.is_valid_term_id(term.curie) and not parser.is_term_deprecated(term.curie), term.curie
            assert parser.get_term_label(term.curie) == term.label, term.curie


def test_drugbank_ids_and_names() -> None:
    refdata = need_refdata()
    with (refdata / "drugbank" / "drugbank_vocabulary.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[1]
    vocabulary = {r[0]: dict(zip(header, r, strict=False)) for r in rows[2:] if r}
    curated = load_curated(ONTOLOGY)
    drugs = curated.rows("drugs.tsv")
    assert len(drugs) >= 40
    for row in drugs:
        entry = vocabulary.get(row["drugbank_id"])
        assert entry, f"{row['drugbank_id']} is not in DrugBank's vocabulary"
        names = {entry["Common name"].lower(), *(s.strip().lower() for s in entry["Synonyms"].split("|"))}
        if row["chebi_id"]:  # a drug approved after DrugBank's 2021 vocabulary may go by its ChEBI name
            names.add(curated.terms[row["chebi_id"]].label.lower())
        assert row["name"].lower() in names, f"{row['drugbank_id']}: '{row['name']}' is not its DrugBank or ChEBI name"


def test_treats_only_for_approved_drugs(built: Path) -> None:
    store = open_store(built / "oxigraph")
    query = """PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX obo: <http://purl.obolibrary.org/obo/>
        SELECT ?d WHERE { ?d cyto:treats ?disease ; cyto:approvalStatus ?status FILTER (?status != "approved") }"""
    assert not select(store, query)
