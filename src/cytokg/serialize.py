"""Write graphs deterministically: same graph in, byte-identical files out."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import Graph

from cytokg.namespaces import PREFIXES, bind_prefixes
from cytokg.sparql.formats import GRAPH_TYPES, SUFFIX_TYPES
from cytokg.writing import write_atomic

__all__ = ["canonical_ntriples", "write_graph", "write_ntriples_as"]


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
    if SUFFIX_TYPES[path.suffix] == "text/turtle":
        write_atomic(path, _ordered_copy(graph).serialize(format="turtle", encoding="utf-8"))
        return
    write_ntriples_as(canonical_ntriples(graph), path)


def write_ntriples_as(ntriples: bytes, path: Path) -> None:
    """Write canonical N-Triples (:func:`canonical_ntriples`) to ``path`` as RDF/XML, JSON-LD or N-Triples.

    Oxigraph's streaming writers keep the sorted order, so the same triples give the same bytes.
    """
    media = SUFFIX_TYPES[path.suffix]
    if media == "application/n-triples":
        write_atomic(path, ntriples)
        return
    quads = pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    data = pyoxigraph.serialize(quads, format=GRAPH_TYPES[media], prefixes=PREFIXES)
    assert isinstance(data, bytes)
    write_atomic(path, data)
