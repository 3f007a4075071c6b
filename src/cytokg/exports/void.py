"""VoID linksets: how many links CytoKG has into each dataset it shares identifiers with, by predicate."""

from __future__ import annotations

from collections import Counter

import bioregistry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from cytokg.compile.links import IDENTIFIERS, converter
from cytokg.namespaces import BASE, DATASET, OBOINOWL, VOID

__all__ = ["linkset_description"]


def _targets(graph: Graph) -> set[str]:
    """The datasets CytoKG links to: the registries of its identifiers and the ontologies of its terms."""
    ontologies = {str(curie).split(":", 1)[0] for curie in graph.objects(None, OBOINOWL.id)}
    registries = {identifier.registry for identifier in IDENTIFIERS.values()}
    return {bioregistry.get_preferred_prefix(p) or p for p in registries} | ontologies


def _dataset(prefix: str) -> URIRef:
    """A target dataset's IRI: its Bioregistry entry."""
    return URIRef(f"https://bioregistry.io/registry/{bioregistry.normalize_prefix(prefix)}")


def linkset_description(graph: Graph) -> Graph:
    """A ``void:Linkset`` per target dataset and link predicate, with its triple count.

    A link is a triple whose subject is a CytoKG IRI and whose object is an IRI of the target dataset.
    """
    targets = _targets(graph)
    convert = converter()
    counts: Counter[tuple[str, URIRef]] = Counter()
    for subject, predicate, obj in graph:
        if isinstance(subject, URIRef) and isinstance(obj, URIRef) and str(subject).startswith(BASE):
            parsed = convert.parse_uri(str(obj))
            if parsed and parsed.prefix in targets and not str(obj).startswith(BASE):
                counts[(parsed.prefix, URIRef(str(predicate)))] += 1
    prefix_map = convert.prefix_map  # computed on each access: once here
    void = Graph()
    void.bind("void", VOID)
    void.bind("dcterms", DCTERMS)
    for prefix in sorted({prefix for prefix, _ in counts}):
        target = _dataset(prefix)
        void.add((target, RDF.type, VOID.Dataset))
        void.add((target, DCTERMS.title, Literal(bioregistry.get_name(prefix) or prefix, lang="en")))
        void.add((target, VOID.uriSpace, Literal(prefix_map[prefix])))
    for (prefix, predicate), n in sorted(counts.items()):
        local = convert.compress(str(predicate)) or str(predicate).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        linkset = URIRef(f"{BASE}dataset/linkset/{prefix}-{local.replace(':', '_')}")
        void.add((DATASET, VOID.subset, linkset))
        void.add((linkset, RDF.type, VOID.Linkset))
        void.add((linkset, VOID.subjectsTarget, DATASET))
        void.add((linkset, VOID.objectsTarget, _dataset(prefix)))
        void.add((linkset, VOID.linkPredicate, predicate))
        void.add((linkset, VOID.triples, Literal(n, datatype=XSD.integer)))
    return void
