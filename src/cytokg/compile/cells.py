"""Turn the curated producing- and responding-cell links into RDF."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Annotation, Provenance, add_fact, note, stable_bnode
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, OBO, OWL, RDF, RDFS, obo_iri

__all__ = ["CELL_ONTOLOGY_SOURCE", "CELL_STATES", "STATED_EVIDENCE", "add_cell_links"]

_RELATIONS = {"producedBy": CYTO.producedBy, "actsOn": CYTO.actsOn}
#: The source row (sources.tsv) for the Cell Ontology release that cell_link_evidence.tsv was read from.
CELL_ONTOLOGY_SOURCE = "cell-ontology"
#: Evidence for a link the Cell Ontology states: imported information used in manual assertion.
STATED_EVIDENCE = "ECO:0000312"
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

    Each link is a direct triple to the CL class, which SPARQL users query; both properties are annotation
    properties, so the cell type stays a class (never punned as an individual). A producing cell is also written
    as the class assertion ``RO:0003001 (produced by) some CELL``, from which the reasoner fills the defined
    classes (lymphokine, monokine). The cell state and the note go on each axiom of the link. A link the Cell
    Ontology states (``cell_link_evidence.tsv``) also cites the CL release (ECO:0000312), with CL's words as an
    ``rdfs:comment``.
    """
    stated = {
        (row["symbol"], row["relation"], row["cell"]): row["quote"] for row in curated.rows("cell_link_evidence.tsv")
    }
    for row in curated.rows("cell_links.tsv"):
        relation = row.required("relation")
        if relation not in _RELATIONS:
            raise row.error(f"unknown relation '{relation}'", f"use one of {sorted(_RELATIONS)}")
        cell = obo_iri(curated.term(row, "cell", "CL"))
        prov = Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))
        subject = resolve_subject(curated, row, "symbol")
        predicate = _RELATIONS[relation]
        facts: list[tuple[URIRef, Node]] = [(predicate, cell)]
        if predicate == CYTO.producedBy:
            restriction = stable_bnode("some", subject, OBO.RO_0003001, cell)
            graph.add((restriction, RDF.type, OWL.Restriction))
            graph.add((restriction, OWL.onProperty, OBO.RO_0003001))
            graph.add((restriction, OWL.someValuesFrom, cell))
            facts.append((RDF.type, restriction))
        quote = stated.get((row["symbol"], relation, row["cell"]))
        for fact_predicate, fact_object in facts:
            add_fact(graph, subject, fact_predicate, fact_object, prov, _cell_states(row) + note(row))
            if quote is not None:
                cl_prov = Provenance(
                    curated.source(Row(row.path, row.line, {**row.values, "source": CELL_ONTOLOGY_SOURCE})),
                    STATED_EVIDENCE,
                )
                cl_note: list[Annotation] = [(RDFS.comment, Literal(quote, lang="en"))]
                add_fact(graph, subject, fact_predicate, fact_object, cl_prov, cl_note)
