"""pySHACL and pyshacl-turbo on the SHACL gate's exact input (asserted graph plus HermiT's inferred types).

Prints one JSON line: for each engine its wall time, verdict and number of violation and warning results
on the real graph, and on how many of the failing fixtures (tests/resources/shapes/invalid) it finds a
violation. Run: ``python -m benchmarks.shacl_engines build shapes``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import SH

from cytokg.gates.shacl import load_shapes
from cytokg.graphs import load_built_graph
from cytokg.release import INFERRED_TYPES

__all__ = ["compare"]

ENGINES = ("pyshacl", "pyshacl_turbo")
INVALID = Path(__file__).resolve().parents[1] / "tests" / "resources" / "shapes" / "invalid"


def _run(engine: Any, data: Graph, shapes: Graph) -> tuple[bool, Any]:
    conforms, report, _ = engine.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    return bool(conforms), report


def compare(build_dir: Path, shapes_dir: Path) -> dict[str, Any]:
    """Validate the same data with each engine, with the arguments ``cytokg.gates.shacl`` passes to pySHACL."""
    data = load_built_graph(build_dir)
    data.parse(build_dir / INFERRED_TYPES, format="nt")
    shapes = load_shapes(shapes_dir).graph
    results: dict[str, Any] = {"triples": len(data)}
    fixtures = sorted(INVALID.glob("*.ttl"))
    for name in ENGINES:
        try:
            engine = importlib.import_module(name)
        except ImportError:
            results[name] = {"error": f"{name} is not installed (pip install -e '.[bench]')"}
            continue
        started = time.perf_counter()
        conforms, report = _run(engine, data, shapes)
        seconds = time.perf_counter() - started
        if not isinstance(report, Graph):
            results[name] = {"seconds": round(seconds, 2), "error": str(report)[:300]}
            continue
        results[name] = {
            "seconds": round(seconds, 2),
            "conforms": bool(conforms),
            "violations": len(set(report.subjects(SH.resultSeverity, SH.Violation))),
            "warnings": len(set(report.subjects(SH.resultSeverity, SH.Warning))),
            "failing_fixtures_caught": sum(not _run(engine, _fixture(build_dir, path), shapes)[0] for path in fixtures),
            "failing_fixtures": len(fixtures),
        }
    return results


def _fixture(build_dir: Path, path: Path) -> Graph:
    graph = Graph().parse(build_dir / "cytokg-ontology.owl", format="xml")
    return graph.parse(path, format="turtle")


if __name__ == "__main__":
    print(json.dumps(compare(Path(sys.argv[1]), Path(sys.argv[2]))))  # noqa: T201
