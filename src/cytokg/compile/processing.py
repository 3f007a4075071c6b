"""Turn the curated protein-processing table into how forms are made: cleavage, inflammasome, release."""

from __future__ import annotations

from rdflib import Graph, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri, note, protein_iri
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO

__all__ = ["STEPS", "add_processing"]

#: Each processing step and the property from the form to its mediators (gene products).
STEPS: dict[str, URIRef] = {
    "cleavage": CYTO.cleavedBy,
    "inflammasome": CYTO.processedByInflammasomeWith,
    "release": CYTO.releasedThrough,
}


def _form(curated: Curated, row: Row, column: str) -> URIRef:
    key = row.required(column)
    if key not in {r["form_id"] for r in curated.rows("protein_forms.tsv")}:
        raise row.error(f"unknown protein form '{key}' in column '{column}'", "add it to protein_forms.tsv")
    return entity_iri("form", key)


def add_processing(graph: Graph, curated: Curated) -> None:
    """Add each form's protease (cleavedBy, cleavedFrom), inflammasome components and release route.

    A row's note goes on every fact the row states (each mediator, and the precursor it is cleaved from).
    """
    for row in curated.rows("protein_processing.tsv"):
        form = _form(curated, row, "form_id")
        step = row.required("step")
        if step not in STEPS:
            raise row.error(f"unknown step '{step}'", f"use one of {sorted(STEPS)}")
        prov = Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))
        mediators = split_multi(row["mediators"])
        if not mediators:
            raise row.error("step has no mediator", "name the gene symbols in 'mediators'")
        for symbol in mediators:
            mediator_row = Row(row.path, row.line, {**row.values, "mediators": symbol})
            mediator = protein_iri(curated.gene(mediator_row, "mediators"))
            add_fact(graph, form, STEPS[step], mediator, prov, note(row))
        if row["from_form"]:
            if step != "cleavage":
                raise row.error(f"'from_form' is only for cleavage, not '{step}'", "leave 'from_form' empty")
            add_fact(graph, form, CYTO.cleavedFrom, _form(curated, row, "from_form"), prov, note(row))
