"""Write graphs deterministically: same graph in, byte-identical files out."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import Graph

from cytokg.namespaces import PREFIXES, bind_prefixes
from cytokg.writing import write_atomic

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
    """Copy the graph in sorted order so that every serializer sees one insertion order."""
    ordered = bind_prefixes(Graph())
    for triple in sorted(graph, key=lambda t: tuple(term.n3() for term in t)):
        ordered.add(triple)
    return ordered


def write_graph(graph: Graph, path: Path) -> None:
    """Serialize ``graph`` to ``path`` in the format its suffix names, atomically."""
    fmt = FORMATS[path.suffix]
    if fmt == "nt":
        write_atomic(path, canonical_ntriples(graph))
        return
    if fmt == "turtle":
        write_atomic(path, _ordered_copy(graph).serialize(format="turtle", encoding="utf-8"))
        return
    # RDF/XML and JSON-LD: Oxigraph's streaming writers keep the sorted N-Triples order.
    quads = pyoxigraph.parse(canonical_ntriples(graph), format=pyoxigraph.RdfFormat.N_TRIPLES)
    target = pyoxigraph.RdfFormat.RDF_XML if fmt == "xml" else pyoxigraph.RdfFormat.JSON_LD
    data = pyoxigraph.serialize(quads, format=target, prefixes=PREFIXES)
    assert isinstance(data, bytes)
    write_atomic(path, data)
