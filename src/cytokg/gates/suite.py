"""Run every quality gate on a built release folder and write the reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from cytokg.release import INFERRED_TYPES, OWL_FILES
from cytokg.serialize import write_graph
from cytokg.writing import write_atomic

__all__ = ["INFERRED_TYPES", "GateReport", "Layout", "Reasoning", "check_layout", "reason", "run_gates"]


@dataclass(frozen=True)
class Layout:
    """Where the project's shapes and queries live (passed in, never guessed)."""

    shapes: Path
    queries: Path


@dataclass(frozen=True)
class GateReport:
    """One gate's outcome: passed, failed, or could not run (a missing tool)."""

    name: str
    status: str  # "pass" | "fail" | "missing-tool" | "skipped" (an earlier gate's failure makes it meaningless)
    lines: list[str]

    @property
    def ok(self) -> bool:
        """Whether the gate passed."""
        return self.status == "pass"


def check_layout(layout: Layout) -> None:
    """Read and parse every shape and QC query now, so bad input fails before the slow gates."""
    from cytokg.gates.qc import load_checks
    from cytokg.gates.shacl import load_shapes

    load_shapes(layout.shapes)
    load_checks(layout.queries / "qc")


@dataclass(frozen=True)
class Reasoning:
    """The reasoning gate's report and the memberships HermiT inferred (empty if it could not run)."""

    report: GateReport
    inferred: Graph


def reason(folder: Path, graph: Graph) -> Reasoning:
    """Run HermiT on the asserted ``graph`` (written to a scratch file in ``folder``, removed after)."""
    from cytokg.gates.reason import java_available, run_hermit

    if not java_available():
        return Reasoning(
            GateReport("reasoning", "missing-tool", ["HermiT needs Java: apt-get install default-jdk-headless"]),
            Graph(),
        )
    scratch = folder / ".asserted.owl"
    write_graph(graph, scratch)
    try:
        result = run_hermit(scratch, graph)
    finally:
        scratch.unlink(missing_ok=True)
    lines = [f"consistent: {result.consistent}"]
    lines += [
        f"unsatisfiable own class: {iri} (fix: check its definition and disjointness)" for iri in result.unsatisfiable
    ]
    lines += [f"inconsistent: {clash}" for clash in result.clashes]
    lines += [f"inferred\t{s}\t{o}" for s, o in sorted(result.inferred_types)]
    ok = result.consistent and not result.unsatisfiable
    return Reasoning(GateReport("reasoning", "pass" if ok else "fail", lines), result.inferred_graph())


def _shacl(graph: Graph, inferred: Graph, layout: Layout) -> GateReport:
    from cytokg.gates.shacl import validate

    data = Graph()
    for triple in graph:
        data.add(triple)
    for triple in inferred:
        data.add(triple)
    result = validate(data, layout.shapes)
    lines = [f"violation: {v}" for v in result.violations] + [f"warning: {w}" for w in result.warnings]
    return GateReport("shacl", "pass" if result.conforms else "fail", lines or ["conforms"])


def _qc(folder: Path, layout: Layout) -> GateReport:
    from cytokg.gates.qc import run_qc
    from cytokg.store import open_store

    results = run_qc(open_store(folder / "oxigraph"), layout.queries / "qc")
    lines = []
    for result in results:
        lines.append(f"{result.name}: {len(result.rows)} rows")
        for row in result.rows:
            lines.append(f"  {result.name}\t" + "\t".join(row) + f"\t(check: {result.check}; fix: {result.fix})")
    failed = any(result.rows for result in results)
    return GateReport("qc", "fail" if failed else "pass", lines)


def _owl_profile(folder: Path) -> GateReport:
    from cytokg.gates.owl_dl import check_owl_profile
    from cytokg.owlapi import owlapi_available

    if not owlapi_available():
        return GateReport(
            "owl-dl",
            "missing-tool",
            ["needs a JDK and the OWL API: apt-get install default-jdk-headless libowlapi-java"],
        )
    result = check_owl_profile([folder / name for name in OWL_FILES])
    return GateReport("owl-dl", "pass" if result.ok else "fail", result.lines)


def run_gates(
    folder: Path, graph: Graph, reasoning: Reasoning, layout: Layout, progress: Callable[[str], None]
) -> list[GateReport]:
    """Given :func:`reason`'s result, run SHACL, QC and the OWL 2 DL check on ``folder``; write ``reports/``.

    QC reads the release's store as ``/sparql`` does: asserted plus inferred.
    """
    reports = [reasoning.report]
    progress("SHACL validation")
    if reasoning.report.status == "fail" and any(line.startswith("inconsistent: ") for line in reasoning.report.lines):
        reports.append(GateReport("shacl", "skipped", ["not run: the shapes need the types of a consistent ontology"]))
    else:
        reports.append(_shacl(graph, reasoning.inferred, layout))
    progress("QC queries")
    reports.append(_qc(folder, layout))
    progress("OWL 2 DL profile (OWL API)")
    reports.append(_owl_profile(folder))
    for report in reports:
        text = f"{report.name}: {report.status}\n" + "\n".join(report.lines) + "\n"
        write_atomic(folder / "reports" / f"{report.name}.txt", text.encode("utf-8"))
    return reports
