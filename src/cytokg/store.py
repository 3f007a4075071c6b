"""The embedded Oxigraph store: built once from N-Triples, opened read-only by every worker."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Protocol

import pyoxigraph

__all__ = [
    "ASSERTED_GRAPH",
    "EXAMPLES_GRAPH",
    "INFERRED_GRAPH",
    "Dataset",
    "Queryable",
    "add_named_graph",
    "create_store",
    "open_store",
]

#: The named graph that holds the reasoner's inferred class memberships in the served store.
INFERRED_GRAPH = "https://w3id.org/cytokg/graph/inferred"
#: The asserted graph's name in an external triplestore (the embedded store keeps it as its default graph).
ASSERTED_GRAPH = "https://w3id.org/cytokg/graph/asserted"
#: The named graph of the example queries as SIB SPARQL examples; not part of the default graph.
EXAMPLES_GRAPH = "https://w3id.org/cytokg/graph/examples"


class Queryable(Protocol):
    """What the web app, stats and queries need from a store: the embedded one or an external one (remote.py).

    Without ``use_default_graph_as_union`` the default graph is the asserted graph; with it, asserted plus inferred.
    """

    def query(
        self, query: str, /, *, base_iri: str | None = None, use_default_graph_as_union: bool = False
    ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples: ...


def create_store(ntriples: Path, directory: Path) -> None:
    """Load ``ntriples`` into a fresh on-disk store at ``directory``, replacing any old one."""
    staging = directory.with_name(directory.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    store = pyoxigraph.Store(str(staging))
    store.bulk_load(path=str(ntriples), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.optimize()
    del store
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


class Dataset:
    """A built store read as the one dataset CytoKG publishes: asserted plus inferred, as ``/sparql`` answers.

    ``cytokg query``, QC, stats, the search index and the exports all read the store through this view
    (``text:matches`` is read by the callers that offer it: ``cytokg query`` and the query processes).
    """

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store

    def query(
        self, query: str, /, *, base_iri: str | None = None, use_default_graph_as_union: bool = True
    ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples:
        """Run ``query`` with the default graph as the union of the asserted and the inferred graph (only those)."""
        if not use_default_graph_as_union:
            return self.store.query(query, base_iri=base_iri)
        union: list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.DefaultGraph] = [
            pyoxigraph.DefaultGraph(),
            pyoxigraph.NamedNode(INFERRED_GRAPH),
        ]
        return self.store.query(query, base_iri=base_iri, default_graph=union)


def open_store(directory: Path) -> Dataset:
    """Open a built store read-only, as the union of its asserted and inferred graphs."""
    if not directory.exists():
        raise FileNotFoundError(f"{directory}: no store here; run `cytokg build` first")
    return Dataset(pyoxigraph.Store.read_only(str(directory)))


def add_named_graph(directory: Path, data: Path, graph: str) -> None:
    """Load ``data`` (N-Triples or Turtle, by suffix) into the named graph ``graph`` of the store at ``directory``."""
    fmt = pyoxigraph.RdfFormat.from_extension(data.suffix.lstrip("."))
    if fmt is None:
        raise ValueError(f"{data}: not an RDF file suffix")
    store = pyoxigraph.Store(str(directory))
    store.bulk_load(path=str(data), format=fmt, to_graph=pyoxigraph.NamedNode(graph))
    store.optimize()
    del store
