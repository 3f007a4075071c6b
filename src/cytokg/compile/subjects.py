"""Resolve the subject of a curated fact: a gene symbol, a protein form id or a heteromeric cytokine id."""

from __future__ import annotations

from rdflib import URIRef

from cytokg.compile.curated import GENE_KINDS, Curated
from cytokg.compile.facts import entity_iri, protein_iri
from cytokg.compile.tables import Row

__all__ = ["resolve_subject"]


def resolve_subject(curated: Curated, row: Row, column: str) -> URIRef:
    """The IRI of the gene product, protein form or heteromeric cytokine that ``row[column]`` names."""
    key = row.required(column)
    if key in {r["complex_id"] for r in curated.rows("cytokine_complexes.tsv")}:
        return entity_iri("cytokine", key)
    if key in {r["form_id"] for r in curated.rows("protein_forms.tsv")}:
        return entity_iri("form", key)
    return protein_iri(curated.gene(row, column, GENE_KINDS))
