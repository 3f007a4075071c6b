"""Generated Markdown: blocks kept in step with the graph (README stats, the model diagram) and the diagram itself."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef

from cytokg.errors import InputError
from cytokg.namespaces import CYTO, OWL, RDF, RDFS

__all__ = ["model_diagram", "read_block", "replace_block", "update_readme"]


def replace_block(path: Path, name: str, content: str) -> None:
    """Replace what lies between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    block = f"<!-- {name}:start -->\n{content}<!-- {name}:end -->"
    pattern = rf"<!-- {name}:start -->.*?<!-- {name}:end -->"
    updated, count = re.subn(pattern, lambda _: block, text, flags=re.DOTALL)
    if count != 1:
        raise InputError(path, None, f"needs exactly one '{name}' block", f"add <!-- {name}:start --> ... end")
    path.write_text(updated, encoding="utf-8")


def read_block(path: Path, name: str) -> str:
    """What lies between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, or an input error."""
    found = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", path.read_text(encoding="utf-8"), re.DOTALL)
    if not found:
        raise InputError(path, None, f"no '{name}' block", f"add <!-- {name}:start --> ... <!-- {name}:end -->")
    return found.group(1)


def update_readme(readme: Path, table: str) -> None:
    """Write the stats table into the README's stats block."""
    replace_block(readme, "stats", f"```\n{table}```\n")


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
