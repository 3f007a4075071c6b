"""Generated Markdown: blocks kept in step with the code and the graph (README stats, model and package diagrams)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rdflib import Graph, URIRef

from cytokg.errors import InputError
from cytokg.namespaces import CYTO, OWL, RDF, RDFS

__all__ = [
    "LAYERS",
    "architecture_diagram",
    "layer",
    "model_diagram",
    "module_imports",
    "read_block",
    "replace_block",
    "room",
    "room_imports",
    "update_readme",
]


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
    if label is None:
        return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "".join(word.capitalize() for word in str(label).split())


def _end(tbox: Graph, prop: URIRef, side: URIRef) -> str:
    """The class an object property's domain or range names (a super-property's if it names none), or
    ``Thing``: without a declared domain or range, OWL lets a property link anything."""
    seen: set[URIRef] = set()
    while prop not in seen:
        seen.add(prop)
        value = tbox.value(prop, side)
        if isinstance(value, URIRef):
            return _name(tbox, value)
        parent = tbox.value(prop, RDFS.subPropertyOf)
        if not isinstance(parent, URIRef):
            break
        prop = parent
    return "Thing"


def model_diagram(tbox: Graph) -> str:
    """A Mermaid ``classDiagram``: top-level CytoKG classes, their direct subclasses, and every object
    property from its domain to its range (``Thing`` where the ontology leaves one open), so the picture
    always matches ``cytokg-edit.ttl``."""
    lines = ["classDiagram", "    direction LR"]
    own = sorted(
        c for c in tbox.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(CYTO))
    )
    roots = [c for c in own if not any(str(p).startswith(str(CYTO)) for p in tbox.objects(c, RDFS.subClassOf))]
    for root in roots:
        for child in sorted(tbox.subjects(RDFS.subClassOf, root), key=str):
            if isinstance(child, URIRef) and child in own:
                lines.append(f"    {_name(tbox, root)} <|-- {_name(tbox, child)}")
    for prop in sorted(tbox.subjects(RDF.type, OWL.ObjectProperty), key=str):
        if isinstance(prop, URIRef):
            domain, target = _end(tbox, prop, RDFS.domain), _end(tbox, prop, RDFS.range)
            lines.append(f"    {domain} --> {target} : {_name(tbox, prop)}")
    return "\n".join(lines) + "\n"


#: The rooms of the package, top layer first. A module may import its own room and rooms of lower layers only.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    ("web",),
    ("build",),
    ("backends", "gates", "exports", "curation", "testing", "statistics"),
    ("compile", "queries", "search", "serialize", "docs", "vocabulary_queries"),
    ("sparql", "store", "publish", "graphs", "owlapi", "reading"),
    ("errors", "namespaces", "writing", "children", "release", "__init__"),
    ("iris",),
)


def module_imports(package: Path) -> dict[str, set[str]]:
    """Every module of the package (``web.app``) and the package modules it imports, anywhere in its code."""
    modules = {
        ".".join(path.relative_to(package).with_suffix("").parts).removesuffix(".__init__"): path
        for path in sorted(package.rglob("*.py"))
    }
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cytokg."):
                base = node.module.removeprefix("cytokg.")
                targets.update(
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
                )
            elif isinstance(node, ast.Import):
                targets.update(a.name.removeprefix("cytokg.") for a in node.names if a.name.startswith("cytokg."))
        found[name] = {target for target in targets if target in modules and target != name}
    return found


def room(module: str) -> str:
    """The room a module lives in: its subpackage, or itself at the top level.

    >>> room("web.app"), room("build")
    ('web', 'build')
    """
    return module.split(".", 1)[0]


def layer(name: str) -> int:
    """The layer of a room, 0 at the top; a room missing from ``LAYERS`` is an error."""
    for number, rooms in enumerate(LAYERS):
        if name in rooms:
            return number
    raise KeyError(f"room '{name}' is not in docs.LAYERS: put it in the layer it belongs to")


def room_imports(package: Path) -> dict[str, set[str]]:
    """Which rooms each room imports (imports inside a room left out)."""
    edges: dict[str, set[str]] = {}
    for module, targets in module_imports(package).items():
        edges.setdefault(room(module), set()).update(room(t) for t in targets if room(t) != room(module))
    return edges


def architecture_diagram(package: Path) -> str:
    """A Mermaid flowchart of the rooms by layer, with the imports between them (those into the bottom layer,
    which every room may use, left out to keep it readable)."""
    modules = module_imports(package)
    sizes: dict[str, int] = {}
    for module in modules:
        if "." in module or not (package / module).is_dir():  # a subpackage's __init__ is not counted
            sizes[room(module)] = sizes.get(room(module), 0) + 1
    lines = ["flowchart TD"]
    for number, rooms in enumerate(LAYERS):
        present = [name for name in rooms if name in sizes]
        lines.append(f"    subgraph L{number} [layer {number}]")
        for name in present:
            label = f"{name}/ ({sizes[name]})" if sizes[name] > 1 else f"{name}.py"
            lines.append(f'        {name.strip("_")}["{label}"]')
        lines.append("    end")
    bottom = set(LAYERS[-1])
    for source, targets in sorted(room_imports(package).items()):
        for target in sorted(targets - bottom):
            lines.append(f"    {source.strip('_')} --> {target.strip('_')}")
    return "\n".join(lines) + "\n"
