"""Compile the curated sources (TBox, tables, external terms) into the CytoKG graphs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from cytokg.compile.catalog import add_catalog
from cytokg.compile.cells import add_cell_links
from cytokg.compile.claims import add_claim_facts, add_claims
from cytokg.compile.curated import Curated, load_curated
from cytokg.compile.diseases import add_disease_associations
from cytokg.compile.drugs import add_drugs
from cytokg.compile.effects import add_effects
from cytokg.compile.imports import add_external_terms
from cytokg.compile.links import Mapping, add_links, graph_mappings
from cytokg.compile.listings import Reconciled, add_listings
from cytokg.compile.processing import add_processing
from cytokg.compile.sources import add_sources
from cytokg.namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, bind_prefixes
from cytokg.reading import parse_turtle_text

__all__ = ["Compiled", "compile_graphs", "release_date_default", "version_iri"]

EDIT_FILE = "cytokg-edit.ttl"


@dataclass(frozen=True)
class Compiled:
    """The compiled graphs: the whole graph and its TBox."""

    full: Graph
    tbox: Graph
    curated: Curated
    mappings: list[Mapping]
    #: CytoKG's verdict on every ligand-receptor pair the expert resources list.
    listings: list[Reconciled]


def release_date_default() -> str:
    """Today's date (UTC), or the date of ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.date().isoformat()


def version_iri(release_date: str) -> URIRef:
    """The version IRI of a release.

    >>> version_iri("2026-11-21")
    rdflib.term.URIRef('https://w3id.org/cytokg/releases/2026-11-21/cytokg.owl')
    """
    return URIRef(f"https://w3id.org/cytokg/releases/{release_date}/cytokg.owl")


def parse_turtle(path: Path) -> Graph:
    """Parse a Turtle source file (strict UTF-8; errors are one-line input errors) with canonical blank nodes."""
    graph = parse_turtle_text(path, bind_prefixes(Graph()))
    canonical = bind_prefixes(Graph())
    for triple in to_canonical_graph(graph):  # stable blank-node labels: byte-identical builds
        canonical.add(triple)
    return canonical


def _add_header(graph: Graph, release_date: str) -> None:
    graph.add((ONTOLOGY_IRI, OWL.versionIRI, version_iri(release_date)))
    graph.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(release_date)))
    graph.add((ONTOLOGY_IRI, DCTERMS.date, Literal(release_date)))


def _tbox_individuals(tbox: Graph, full: Graph) -> None:
    """Declare, in the TBox, the individuals its axioms name (e.g. gp130 in a hasValue)."""
    for value in set(tbox.objects(None, OWL.hasValue)):
        tbox.add((value, RDF.type, OWL.NamedIndividual))
        for label in full.objects(value, RDFS.label):
            tbox.add((value, RDFS.label, label))


def compile_graphs(ontology_dir: Path, release_date: str) -> Compiled:
    """Build the full graph and the TBox from ``ontology_dir``."""
    tbox = parse_turtle(ontology_dir / EDIT_FILE)
    curated = load_curated(ontology_dir)
    _add_header(tbox, release_date)
    add_external_terms(tbox, curated)
    full = bind_prefixes(Graph())
    for triple in tbox:
        full.add(triple)
    add_sources(full, curated)
    add_catalog(full, curated)
    add_processing(full, curated)
    listings = add_listings(full, curated)
    add_cell_links(full, curated)
    add_claims(full, curated)
    add_effects(full, curated)
    add_disease_associations(full, curated)
    add_drugs(full, curated)
    add_claim_facts(full, curated)  # after every fact: a claim cites its source on facts of the graph
    mappings = graph_mappings(full, add_links(full))
    _tbox_individuals(tbox, full)
    return Compiled(full=full, tbox=tbox, curated=curated, mappings=mappings, listings=listings)
