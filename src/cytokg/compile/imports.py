"""Bring the external terms CytoKG uses into the graph, MIREOT style, with their reference labels, definitions,
exact synonyms and ancestors."""

from __future__ import annotations

from rdflib import Graph, Literal

from cytokg.compile.curated import Curated
from cytokg.namespaces import OBO, OBOINOWL, OWL, RDF, RDFS, obo_iri

__all__ = ["add_external_terms"]

_PROPERTY_PREFIXES = ("RO",)


def add_external_terms(graph: Graph, curated: Curated) -> None:
    """Declare each external class with its label, definition, exact synonyms, CURIE (``oboInOwl:id``), parents
    in the set and release.

    Relations (RO) are declared in the edit file; here they get their labels and definitions.
    """
    for curie, term in sorted(curated.terms.items()):
        node = obo_iri(curie)
        graph.add((node, RDFS.label, Literal(term.label, lang="en")))
        graph.add((node, OBOINOWL.id, Literal(curie)))
        graph.add((node, OBO.IAO_0000412, Literal(term.release)))
        if term.definition:
            graph.add((node, OBO.IAO_0000115, Literal(term.definition, lang="en")))
        for synonym in term.synonyms:
            graph.add((node, OBOINOWL.hasExactSynonym, Literal(synonym, lang="en")))
        if curie.split(":")[0] in _PROPERTY_PREFIXES:
            continue
        graph.add((node, RDF.type, OWL.Class))
        for parent in term.parents:
            if parent in curated.terms:
                graph.add((node, RDFS.subClassOf, obo_iri(parent)))
