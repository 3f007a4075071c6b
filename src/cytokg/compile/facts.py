"""Entity IRIs (proteins, claims, sources …) and statements with their provenance as axiom annotations."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cytokg.compile.curated import Curated
from cytokg.compile.genes import HgncGene
from cytokg.compile.tables import Row
from cytokg.namespaces import BASE, CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["Annotation", "Provenance", "add_fact", "claim_iri", "entity_iri", "note", "protein_iri", "stable_bnode"]

#: An annotation on a fact's axiom: an annotation property and its value (a qualifier, a curator's note).
Annotation = tuple[URIRef, Node]


@dataclass(frozen=True)
class Provenance:
    """Where a statement comes from: a source key and an ECO evidence CURIE."""

    source: str
    evidence: str

    @property
    def source_iri(self) -> URIRef:
        """The IRI of the source node."""
        return entity_iri("source", self.source)


def entity_iri(kind: str, key: str) -> URIRef:
    """Return the IRI of a CytoKG entity of a kind (protein, form, complex, source) by its key.

    >>> entity_iri("protein", "HGNC:6018")
    rdflib.term.URIRef('https://w3id.org/cytokg/protein/HGNC_6018')
    """
    return URIRef(f"{BASE}{kind}/{key.replace(':', '_')}")


def protein_iri(gene: HgncGene) -> URIRef:
    """The IRI of a gene product, keyed by its stable HGNC identifier."""
    return entity_iri("protein", gene.hgnc_id)


def claim_iri(curated: Curated, row: Row) -> URIRef | None:
    """The source claim a row models, checked against the claims table, or None."""
    claim = row["claim"]
    if not claim:
        return None
    if claim not in {r["claim_id"] for r in curated.rows("source_claims.tsv")}:
        raise row.error(f"unknown claim '{claim}'", "use a claim id of source_claims.tsv, e.g. C003-27")
    return entity_iri("claim", claim)


def stable_bnode(*parts: Node | str) -> BNode:
    """A blank node whose label depends only on ``parts``, so builds are byte-identical."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return BNode(f"b{digest[:20]}")


def note(row: Row, column: str = "note") -> list[Annotation]:
    """The curator's note in ``row[column]`` as an ``rdfs:comment`` on a fact, or nothing if the cell is empty."""
    text = row[column]
    return [(RDFS.comment, Literal(text, lang="en"))] if text else []


def add_fact(
    graph: Graph,
    subject: URIRef,
    predicate: URIRef,
    obj: Node,
    prov: Provenance,
    annotations: Iterable[Annotation] = (),
) -> None:
    """Assert ``subject predicate obj`` and annotate the axiom with its source, evidence and ``annotations``.

    ``annotations`` are the row's qualifiers and notes (see :func:`note`); they do not change the axiom's
    node, so two rows stating the same fact from the same source share one axiom and both notes.
    """
    graph.add((subject, predicate, obj))
    axiom = stable_bnode("axiom", subject, predicate, obj, prov.source, prov.evidence)
    graph.add((axiom, RDF.type, OWL.Axiom))
    graph.add((axiom, OWL.annotatedSource, subject))
    graph.add((axiom, OWL.annotatedProperty, predicate))
    graph.add((axiom, OWL.annotatedTarget, obj))
    graph.add((axiom, DCTERMS.source, prov.source_iri))
    graph.add((axiom, CYTO.evidence, obo_iri(prov.evidence)))
    for prop, value in annotations:
        graph.add((axiom, prop, value))
