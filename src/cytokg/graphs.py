"""Load a built release back into rdflib (for the gates that need a Python graph)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

__all__ = ["load_built_graph"]


def load_built_graph(build_dir: Path) -> Graph:
    """Parse ``build_dir/cytokg.nt``."""
    path = build_dir / "cytokg.nt"
    if not path.exists():
        raise FileNotFoundError(f"{path}: not built yet; run `cytokg build`")
    graph = Graph()
    graph.parse(path, format="nt")
    return graph
