"""Draw the model from the ontology: a Mermaid diagram of classes, subclass links and object properties."""

from __future__ import annotations

from rdflib import Graph, URIRef

from .namespaces import CYTO, OWL, RDF, RDFS

__all__ = ["model_diagram"]


def _name(graph: Graph, iri: URIRef) -> str:
    if str(iri).startswith(str(CYTO)):
        return str(iri)[len(str(CYTO)) :]
    label = graph.value(iri, RDFS.label)
    return "".join(word.capitalize() for word in str(label or iri).split())


def model_diagram(tbox: Graph) -> str:
    """A Mermaid ``classDiagram``: top-level CytoKG classes, their direct subclasses, and every object
    property that has a domain and a range, so the picture always matches ``cytokg-edit.ttl``."""
    lines = ["classDiagram", "    direction LR"]
    own = sorted(
        c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(CYTO))
    )
    roots = [c for c in own if not any(str(p).startswith(str(CYTO)) for p in tbox.objects(c, RDFS.subClassOf))]
    for root in roots:
        for child in sorted(tbox.subjects(RDFS.subClassOf, root)):
            if isinstance(child, URIRef) and child in own:
                lines.append(f"    {_name(tbox, root)} <|-- {_name(tbox, child)}")
    for prop in sorted(tbox.subjects(RDF.type, OWL.ObjectProperty)):
        domain, target = tbox.value(prop, RDFS.domain), tbox.value(prop, RDFS.range)
        if isinstance(domain, URIRef) and isinstance(target, URIRef) and isinstance(prop, URIRef):
            lines.append(f"    {_name(tbox, domain)} --> {_name(tbox, target)} : {_name(tbox, prop)}")
    return "\n".join(lines) + "\n"
