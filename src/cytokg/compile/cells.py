"""Turn the curated producing- and responding-cell links into RDF."""

from __future__ import annotations

from rdflib import Graph

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Provenance, add_fact, stable_bnode
from cytokg.compile.subjects import resolve_subject
from cytokg.namespaces import CYTO, OWL, RDF, obo_iri

__all__ = ["add_cell_links"]

_RELATIONS = {"producedBy": CYTO.producedBy, "actsOn": CYTO.actsOn}


def add_cell_links(graph: Graph, curated: Curated) -> None:
    """Add ``producedBy`` / ``actsOn`` links from gene products to Cell Ontology cell types.

    Each link is written twice over: as a direct triple to the (punned) CL term, which
    SPARQL users query, and as a class assertion ``producedBy some CELL``, from which the
    reasoner fills the defined classes (lymphokine, monokine).
    """
    for row in curated.rows("cell_links.tsv"):
        relation = row.required("relation")
        if relation not in _RELATIONS:
            raise row.error(f"unknown relation '{relation}'", f"use one of {sorted(_RELATIONS)}")
        cell = obo_iri(curated.term(row, "cell", "CL"))
        prov = Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))
        subject = resolve_subject(curated, row, "symbol")
        predicate = _RELATIONS[relation]
        graph.add((cell, RDF.type, OWL.NamedIndividual))
        add_fact(graph, subject, predicate, cell, prov)
        restriction = stable_bnode("some", subject, predicate, cell)
        graph.add((restriction, RDF.type, OWL.Restriction))
        graph.add((restriction, OWL.onProperty, predicate))
        graph.add((restriction, OWL.someValuesFrom, cell))
        add_fact(graph, subject, RDF.type, restriction, prov)
