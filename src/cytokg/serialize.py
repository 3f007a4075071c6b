"""Write graphs deterministically: same graph in, byte-identical files out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph
from rdflib import Graph

from cytokg.namespaces import PREFIXES
from cytokg.sparql.formats import GRAPH_TYPES, SUFFIX_TYPES
from cytokg.writing import write_atomic

__all__ = ["canonical_ntriples", "write_graph", "write_ntriples_as"]

#: An IRI in N-Triples.
_IRI = re.compile(rb"<([^>]*)>")
#: A local name Turtle writes as it is after a prefix (no escapes such as ``\/``).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def canonical_ntriples(graph: Graph) -> bytes:
    """N-Triples with lines sorted, so that the order never depends on hashing."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_graph(graph: Graph, path: Path) -> None:
    """Serialize ``graph`` to ``path`` in the format its suffix names, atomically (Turtle: with its own prefixes)."""
    turtle = SUFFIX_TYPES[path.suffix] == "text/turtle"
    write_ntriples_as(canonical_ntriples(graph), path, dict(graph.namespaces()) if turtle else PREFIXES)


def _turtle_prefixes(ntriples: bytes, prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes Turtle uses, by name: those some IRI uses, and that no IRI needs an escape after (``\\/``)."""
    iris = {iri.decode("utf-8") for iri in _IRI.findall(ntriples)}
    kept = {}
    for name, namespace in sorted(prefixes.items()):
        locals_ = [iri[len(namespace) :] for iri in iris if iri.startswith(namespace)]
        if locals_ and all(not local or _PLAIN_LOCAL.fullmatch(local) for local in locals_):
            kept[name] = namespace
    return kept


def write_ntriples_as(ntriples: bytes, path: Path, prefixes: Mapping[str, str] = PREFIXES) -> None:
    """Write canonical N-Triples (:func:`canonical_ntriples`) to ``path`` as Turtle, RDF/XML, JSON-LD or N-Triples.

    Oxigraph's streaming writers keep the sorted order, so the same triples give the same bytes.
    """
    media = SUFFIX_TYPES[path.suffix]
    if media == "application/n-triples":
        write_atomic(path, ntriples)
        return
    if media == "text/turtle":
        prefixes = _turtle_prefixes(ntriples, prefixes)
    quads = pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    data = pyoxigraph.serialize(quads, format=GRAPH_TYPES[media], prefixes=dict(prefixes))
    assert isinstance(data, bytes)
    write_atomic(path, data)
