"""Turn the curated producing- and responding-cell links into RDF."""

from __future__ import annotations

from rdflib import Graph

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Annotation, Provenance, add_fact, note, stable_bnode
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, OWL, RDF, obo_iri

__all__ = ["CELL_STATES", "add_cell_links"]

_RELATIONS = {"producedBy": CYTO.producedBy, "actsOn": CYTO.actsOn}
#: The values of the ``cell_state`` column and the cell-state individuals they name.
CELL_STATES = {
    "activated": CYTO.ActivatedCell,
    "induced": CYTO.StimulusInducedCell,
    "constitutive": CYTO.ConstitutiveCell,
    "preformed": CYTO.PreformedStore,
}


def _cell_states(row: Row) -> list[Annotation]:
    """The row's ``|``-separated cell states as ``cyto:cellState`` annotations, refusing unknown values."""
    annotations: list[Annotation] = []
    for value in split_multi(row["cell_state"]):
        if value not in CELL_STATES:
            raise row.error(
                f"unknown cell_state '{value}'", f"use one or more of {sorted(CELL_STATES)}, separated by |"
            )
        annotations.append((CYTO.cellState, CELL_STATES[value]))
    return annotations


def add_cell_links(graph: Graph, curated: Curated) -> None:
    """Add ``producedBy`` / ``actsOn`` links from gene products to Cell Ontology cell types.

    Each link is written twice over: as a direct triple to the (punned) CL term, which
    SPARQL users query, and as a class assertion ``producedBy some CELL``, from which the
    reasoner fills the defined classes (lymphokine, monokine). The cell state and the note go on both axioms.
    """
    for row in curated.rows("cell_links.tsv"):
        relation = row.required("relation")
        if relation not in _RELATIONS:
            raise row.error(f"unknown relation '{relation}'", f"use one of {sorted(_RELATIONS)}")
        cell = obo_iri(curated.term(row, "cell", "CL"))
        prov = Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))
        subject = resolve_subject(curated, row, "symbol")
        predicate = _RELATIONS[relation]
        annotations = _cell_states(row) + note(row)
        graph.add((cell, RDF.type, OWL.NamedIndividual))
        add_fact(graph, subject, predicate, cell, prov, annotations)
        restriction = stable_bnode("some", subject, predicate, cell)
        graph.add((restriction, RDF.type, OWL.Restriction))
        graph.add((restriction, OWL.onProperty, predicate))
        graph.add((restriction, OWL.someValuesFrom, cell))
        add_fact(graph, subject, RDF.type, restriction, prov, annotations)
