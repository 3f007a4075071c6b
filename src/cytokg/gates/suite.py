"""Run every quality gate on a release folder: reused by content hash when unchanged, otherwise in parallel.

SHACL (Python) runs in a forked child; HermiT and the OWL API's DL check (Java) and the QC queries in threads;
each gate's report is kept in the gate cache (:mod:`cytokg.gates.cache`) under the hash of its inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from rdflib import Graph, URIRef

from cytokg.gates.cache import GateCache, folder_digest, gate_key, write_manifest
from cytokg.gates.forked import Forked
from cytokg.gates.report import GateReport
from cytokg.namespaces import RDF
from cytokg.release import ASSERTED_TRIPLES, INFERRED_TYPES, OWL_FILES
from cytokg.serialize import canonical_ntriples, write_ntriples_as
from cytokg.writing import write_atomic

__all__ = [
    "GATES",
    "GateReport",
    "GateRun",
    "Layout",
    "Reasoning",
    "check_layout",
    "check_release",
    "write_reports",
]

#: The gates, in the order they are reported.
GATES = ("reasoning", "shacl", "qc", "owl-dl")


@dataclass(frozen=True)
class Layout:
    """Where the project's shapes and queries live (passed in, never guessed)."""

    shapes: Path
    queries: Path


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


class _Pending(Protocol):
    def result(self) -> GateReport: ...


@dataclass(frozen=True)
class _Done:
    report: GateReport

    def result(self) -> GateReport:
        return self.report


def _in_thread(function: Callable[[], GateReport], name: str) -> Future[GateReport]:
    """Run a gate that waits on Java (HermiT, the OWL API) in a thread, so the JVM is this process's child."""
    threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cytokg-{name}")
    future = threads.submit(function)
    threads.shutdown(wait=False)  # the thread ends with its one job
    return future


def _timed(function: Callable[[], GateReport]) -> Callable[[], GateReport]:
    """``function`` with its wall time recorded in the report it returns."""

    def run() -> GateReport:
        started = time.monotonic()
        return replace(function(), seconds=round(time.monotonic() - started, 2))

    return run


def _inferred(report: GateReport) -> Graph:
    """The memberships a reasoning report lists (``inferred <individual> <class>`` lines) as a graph."""
    graph = Graph()
    for line in report.lines:
        if line.startswith("inferred\t"):
            _, individual, cls = line.split("\t")
            graph.add((URIRef(individual), RDF.type, URIRef(cls)))
    return graph


def _reason(folder: Path, graph: Graph) -> GateReport:
    """Run HermiT on the asserted graph's logical axioms (RDF/XML in a scratch file in ``folder``, removed after)."""
    from cytokg.gates.reason import java_available, logical_axioms, run_hermit

    if not java_available():
        missing = ["HermiT needs a JDK (java, javac): apt-get install default-jdk-headless"]
        return GateReport("reasoning", "missing-tool", missing)
    scratch = folder / ".asserted.owl"
    write_ntriples_as(canonical_ntriples(logical_axioms(graph)), scratch)
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
    return GateReport("reasoning", "pass" if ok else "fail", lines)


def _shacl(graph: Graph, inferred: Graph, layout: Layout) -> GateReport:
    """SHACL on the asserted graph plus the inferred types; run in a forked child, so ``graph`` is its own copy."""
    from cytokg.gates.shacl import validate

    for triple in inferred:
        graph.add(triple)
    result = validate(graph, layout.shapes, own_copy=True)
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


class GateRun:
    """The gates of one release folder, started as their inputs become ready and collected by :meth:`finish`.

    Each gate is reused from ``cache`` when the hash of its inputs is kept there, else run: HermiT, the OWL API
    (Java) and QC (the store answers outside the GIL) from threads, SHACL (Python) in a forked child. ``graph``
    gives the asserted rdflib graph; it is called (once) only if HermiT or SHACL has to run. SHACL must be
    started while no thread runs (it forks): after :meth:`reasoning`, before :meth:`start_owl_dl` and
    :meth:`start_qc`.
    """

    def __init__(self, folder: Path, layout: Layout, cache: GateCache, graph: Callable[[], Graph]) -> None:
        self.folder = folder
        self.layout = layout
        self.cache = cache
        self.keys: dict[str, str] = {}
        self._load_graph = graph
        self._graph: Graph | None = None
        self._pending: dict[str, _Pending] = {}
        self._forked: list[Forked[GateReport]] = []

    def _asserted_graph(self) -> Graph:
        if self._graph is None:
            self._graph = self._load_graph()
        return self._graph

    def _start(
        self, name: str, key: str, function: Callable[[Graph], GateReport], where: str, graph_needed: bool = True
    ) -> None:
        """Reuse gate ``name``'s kept report for ``key``, or run ``function`` ``where``: fork, thread or here;
        ``function`` gets the asserted rdflib graph if ``graph_needed``, else an empty one."""
        self.keys[name] = key
        reused = self.cache.get(name, key)
        if reused is not None:
            self._pending[name] = _Done(reused)
            return
        graph = self._asserted_graph() if graph_needed and where in ("fork", "thread") else Graph()
        run = _timed(lambda: function(graph))
        if where == "fork":
            child = Forked(run, name)
            self._forked.append(child)
            self._pending[name] = child
        elif where == "thread":
            self._pending[name] = _in_thread(run, name)
        else:
            self._pending[name] = _Done(run())

    def start_reasoning(self, asserted: bytes) -> None:
        """Start HermiT on ``asserted`` (the release's canonical N-Triples) unless its report is kept."""
        key = gate_key("reasoning", asserted)
        self._start("reasoning", key, lambda graph: _reason(self.folder, graph), "thread")

    def reasoning(self) -> Reasoning:
        """Wait for the reasoning gate: its report and the inferred memberships."""
        report = self._pending["reasoning"].result()
        self._pending["reasoning"] = _Done(report)
        return Reasoning(report, _inferred(report))

    def start_shacl(self, asserted: bytes, inferred: bytes, reasoning: Reasoning) -> None:
        """Start SHACL on the asserted plus inferred triples, unless kept or meaningless (an inconsistent graph)."""
        lines = reasoning.report.lines
        if reasoning.report.status == "fail" and any(line.startswith("inconsistent: ") for line in lines):
            skipped = GateReport("shacl", "skipped", ["not run: the shapes need the types of a consistent ontology"])
            self._pending["shacl"] = _Done(skipped)
            return
        key = gate_key("shacl", asserted, inferred, folder_digest(self.layout.shapes, "*.ttl"))
        self._start("shacl", key, lambda graph: _shacl(graph, reasoning.inferred, self.layout), "fork")

    def start_owl_dl(self) -> None:
        """Start the OWL 2 DL check (Java, waited for in a thread) once the OWL files are written."""
        files = b"".join(f"{name}\0".encode() + (self.folder / name).read_bytes() for name in OWL_FILES)
        self._start("owl-dl", gate_key("owl-dl", files), lambda _: _owl_profile(self.folder), "thread", False)

    def start_qc(self, asserted: bytes, inferred: bytes) -> None:
        """Start the QC queries on the release's store (asserted plus inferred) in a thread, unless kept: the
        store answers outside the GIL, so the caller's own work goes on beside them."""
        key = gate_key("qc", asserted, inferred, folder_digest(self.layout.queries / "qc", "*.rq"))
        self._start("qc", key, lambda _: _qc(self.folder, self.layout), "thread", False)

    def finish(self) -> list[GateReport]:
        """Wait for every gate; the reports in :data:`GATES` order."""
        return [self._pending[name].result() for name in GATES]

    def stop(self) -> None:
        """End the forked gates still running (the build failed elsewhere); Java dies with this process."""
        for child in self._forked:
            child.stop()


def write_reports(reports: list[GateReport], keys: dict[str, str], folder: Path) -> None:
    """Write each report to ``folder/<gate>.txt`` and their keys to ``folder/gates.json`` (for reuse)."""
    for report in reports:
        text = f"{report.name}: {report.status}\n" + "\n".join(report.lines) + "\n"
        write_atomic(folder / f"{report.name}.txt", text.encode("utf-8"))
    write_manifest(reports, keys, folder)


def check_release(folder: Path, layout: Layout, reports_dir: Path, progress: Callable[[str], None]) -> list[GateReport]:
    """Every gate on the release in ``folder``, which is only read; the reports go to ``reports_dir``.

    A gate whose key the release's build (``folder/reports``) or an earlier check (``reports_dir``) kept is
    reused; the others run, side by side.
    """
    from cytokg.graphs import load_built_graph

    if not (folder / ASSERTED_TRIPLES).is_file():
        raise FileNotFoundError(f"{folder / ASSERTED_TRIPLES}: not built yet; run `cytokg build` first")
    asserted = (folder / ASSERTED_TRIPLES).read_bytes()
    gates = GateRun(folder, layout, GateCache([folder / "reports", reports_dir]), lambda: load_built_graph(folder))
    try:
        progress("reasoning (HermiT)")
        gates.start_reasoning(asserted)
        reasoning = gates.reasoning()
        progress("SHACL validation, QC queries and the OWL 2 DL profile (OWL API), side by side")
        gates.start_shacl(asserted, canonical_ntriples(reasoning.inferred), reasoning)
        gates.start_owl_dl()
        gates.start_qc(asserted, (folder / INFERRED_TYPES).read_bytes())  # what the release's store holds
        reports = gates.finish()
    finally:
        gates.stop()
    write_reports(reports, gates.keys, reports_dir)
    return reports
