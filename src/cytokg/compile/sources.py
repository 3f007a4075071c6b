"""Turn the curated source table into source nodes."""

from __future__ import annotations

from rdflib import Graph, Literal

from cytokg.compile.curated import Curated
from cytokg.compile.facts import entity_iri
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS

__all__ = ["add_sources"]


def add_sources(graph: Graph, curated: Curated) -> None:
    """Add one node per source, typed Publication, ReferenceResource or CurationPractice."""
    for row in curated.rows("sources.tsv"):
        node = entity_iri("source", row["source_id"])
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO[row["kind"]]))
        graph.add((node, RDFS.label, Literal(row.required("label"), lang="en")))
        if row["identifier"]:
            graph.add((node, DCTERMS.identifier, Literal(row["identifier"])))
        if row["date"]:
            graph.add((node, DCTERMS.date, Literal(row["date"])))
        if row["note"]:
            graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
        if row["source_id"] == "hgnc":
            graph.add((node, DCTERMS.description, Literal(curated.hgnc_release, lang="en")))
