"""Write graphs deterministically: same graph in, byte-identical files out."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from .namespaces import bind_prefixes
from .writing import write_atomic

__all__ = ["FORMATS", "canonical_ntriples", "write_graph"]

#: File suffix → rdflib serializer name, for the release files.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".owl": "xml",
    ".nt": "nt",
    ".jsonld": "json-ld",
}


def canonical_ntriples(graph: Graph) -> bytes:
    """N-Triples with lines sorted, so that the order never depends on hashing."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def _ordered_copy(graph: Graph) -> Graph:
    """Re-read the graph from sorted N-Triples so that every serializer sees one insertion order."""
    ordered = bind_prefixes(Graph())
    ordered.parse(data=canonical_ntriples(graph).decode("utf-8"), format="nt")
    return ordered


def write_graph(graph: Graph, path: Path) -> None:
    """Serialize ``graph`` to ``path`` in the format its suffix names, atomically."""
    fmt = FORMATS[path.suffix]
    if fmt == "nt":
        write_atomic(path, canonical_ntriples(graph))
        return
    ordered = _ordered_copy(graph)
    if fmt == "json-ld":
        data = ordered.serialize(format="json-ld", encoding="utf-8", sort_keys=True, indent=1)
    else:
        data = ordered.serialize(format=fmt, encoding="utf-8")
    write_atomic(path, data)
