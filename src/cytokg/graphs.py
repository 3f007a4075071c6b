"""Load a built release's asserted graph back into rdflib (for the gates that need a Python graph)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from cytokg.release import ASSERTED_TRIPLES

__all__ = ["load_built_graph"]


def load_built_graph(build_dir: Path) -> Graph:
    """Parse the asserted graph of the release in ``build_dir`` (without the reasoner's inferences)."""
    path = build_dir / ASSERTED_TRIPLES
    if not path.exists():
        raise FileNotFoundError(f"{path}: not built yet; run `cytokg build`")
    graph = Graph()
    graph.parse(path, format="nt")
    return graph
