"""``cytokg build``: compile, write a new release folder, run the gates, and make it current in one switch."""

from __future__ import annotations

import errno
import gzip
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cytokg.compile.pipeline import Compiled, compile_graphs
from cytokg.errors import InputError
from cytokg.exports.diff import diff_releases, write_changes
from cytokg.exports.evidence_report import evidence_report
from cytokg.exports.examples import example_graph
from cytokg.exports.ligand_receptor_report import ligand_receptor_report
from cytokg.exports.release_set import write_full_set, write_ontology_set
from cytokg.exports.sssom import sssom_text
from cytokg.exports.void import linkset_description
from cytokg.gates.cache import GateCache
from cytokg.gates.suite import GateReport, GateRun, Layout, write_reports
from cytokg.publish import BUILD_WAIT, CURRENT, build_lock, discard, new_release, publish, recover
from cytokg.release import (
    ASSERTED_TRIPLES,
    DOWNLOAD_FILES,
    EXAMPLES_FILE,
    INFERRED_TYPES,
    MAPPING_FILE,
    SEARCH_FILE,
    VOID_FILE,
)
from cytokg.search import write_index
from cytokg.serialize import canonical_ntriples, write_graph
from cytokg.statistics import write_statistics
from cytokg.store import EXAMPLES_GRAPH, INFERRED_GRAPH, add_named_graph, create_store, open_store
from cytokg.writing import write_atomic

__all__ = ["FAILED_REPORTS", "build"]

#: Where a build whose gates failed leaves its reports; removed by the next good build.
FAILED_REPORTS = "failed-reports"
#: How CytoKG's bindings compare with the expert ligand-receptor resources (issue 16).
LIGAND_RECEPTOR_REPORT = "ligand-receptor.md"
EVIDENCE_REPORT = "evidence.md"

#: errno → (problem, fix) for a build folder that cannot be written.
_FOLDER_PROBLEMS = {
    errno.ENOSPC: ("no space left on the device", "free disk space or pass --build-dir on another disk"),
    errno.EDQUOT: ("disk quota exceeded", "free disk space or pass --build-dir on another disk"),
    errno.EROFS: ("read-only file system", "pass --build-dir on a writable disk"),
    errno.EACCES: ("permission denied", "make the build folder writable for this user or pass --build-dir"),
    errno.EPERM: ("operation not permitted", "make the build folder writable for this user or pass --build-dir"),
}


@contextmanager
def _writing(build_dir: Path) -> Iterator[None]:
    """Turn a build folder that cannot be written (read-only, full) into one line naming the path."""
    try:
        yield
    except OSError as error:
        if error.errno not in _FOLDER_PROBLEMS and error.errno is not None:
            raise
        problem, fix = _FOLDER_PROBLEMS.get(error.errno or 0, (str(error), "check the build folder's disk"))
        path = error.filename or build_dir
        raise InputError(path, None, problem, f"{fix}; the previous release is unchanged") from None


def _write_store(
    asserted: bytes, inferred: bytes, folder: Path, progress: Callable[[str], None], gates: GateRun
) -> None:
    """The Oxigraph store (the asserted graph, the inferred memberships as a named graph) and their N-Triples; then
    QC on it, in a thread."""
    write_atomic(folder / ASSERTED_TRIPLES, asserted)
    write_atomic(folder / INFERRED_TYPES, inferred)
    progress("loading the Oxigraph store (inferred memberships as a named graph); QC queries on it")
    create_store(folder / ASSERTED_TRIPLES, folder / "oxigraph")
    add_named_graph(folder / "oxigraph", folder / INFERRED_TYPES, INFERRED_GRAPH)
    gates.start_qc(asserted, inferred)


def _write_other_files(
    compiled: Compiled, folder: Path, release_date: str, examples: Path, progress: Callable[[str], None]
) -> None:
    """The SSSOM, VoID and examples files; then the search index and every download gzipped."""
    progress(f"writing {MAPPING_FILE} and {VOID_FILE}")
    write_atomic(folder / MAPPING_FILE, sssom_text(compiled.full, compiled.mappings, release_date).encode())
    write_graph(linkset_description(compiled.full), folder / VOID_FILE)
    progress(f"writing {EXAMPLES_FILE}")
    write_graph(example_graph(examples), folder / EXAMPLES_FILE)
    progress("writing the search index and compressing the downloads")
    write_index(open_store(folder / "oxigraph"), folder / SEARCH_FILE)
    _compress(folder, list(DOWNLOAD_FILES))


def _compress(folder: Path, names: list[str]) -> None:
    """Write ``NAME.gz`` beside each of ``names`` (reproducibly: no time stamp)."""
    for name in names:
        write_atomic(folder / f"{name}.gz", gzip.compress((folder / name).read_bytes(), compresslevel=9, mtime=0))


def _write_changes(build_dir: Path, release: Path, progress: Callable[[str], None]) -> None:
    """Compare the new release with the current one, if there is one, into ``reports/changes.md`` and ``.json``."""
    previous = build_dir / CURRENT
    if previous.is_dir() and (previous / "cytokg.nt").is_file():
        progress("comparing with the previous release")
        write_changes(diff_releases(previous.resolve(), release), release / "reports")


def build(
    ontology_dir: Path,
    build_dir: Path,
    layout: Layout,
    release_date: str,
    progress: Callable[[str], None],
) -> list[GateReport]:
    """Build a new release folder under ``build_dir/releases``, gate it, and make it current only if all pass.

    :returns: the gate reports; on any failure ``build_dir``'s current release is unchanged.
    """
    progress("compiling curated sources")
    compiled = compile_graphs(ontology_dir, release_date)
    asserted = canonical_ntriples(compiled.full)
    with _writing(build_dir), build_lock(build_dir, BUILD_WAIT):
        recover(build_dir)
        release = new_release(build_dir)
        gates = GateRun(release, layout, GateCache([]), lambda: compiled.full)  # a build runs every gate
        try:
            progress("reasoning (HermiT), beside the TBox, base and OBO files")
            gates.start_reasoning(asserted)
            write_ontology_set(compiled.full, compiled.tbox, release, release_date, progress)  # longer than HermiT
            reasoning = gates.reasoning()
            inferred = canonical_ntriples(reasoning.inferred)
            progress("SHACL validation, beside the other release files, QC and the OWL 2 DL profile (OWL API)")
            # the gates start longest first (SHACL, QC, the OWL 2 DL check once the full OWL file is written)
            gates.start_shacl(asserted, inferred, reasoning)
            _write_store(asserted, inferred, release, progress, gates)
            write_full_set(asserted, inferred, release, release_date, progress, gates.start_owl_dl)
            _write_other_files(compiled, release, release_date, layout.queries / "examples", progress)
            progress("writing the ligand-receptor and evidence reports")
            report = ligand_receptor_report(compiled.curated, compiled.listings)
            write_atomic(release / "reports" / LIGAND_RECEPTOR_REPORT, report.encode("utf-8"))
            write_atomic(release / "reports" / EVIDENCE_REPORT, evidence_report(compiled.full).encode("utf-8"))
            _write_changes(build_dir, release, progress)
            reports = gates.finish()
            write_reports(reports, gates.keys, release / "reports")
            if all(report.ok for report in reports):
                add_named_graph(release / "oxigraph", release / EXAMPLES_FILE, EXAMPLES_GRAPH)
                progress("counting the release's statistics and hashing its downloads")
                write_statistics(release, layout.queries)
                progress("publishing the release")
                publish(build_dir, release, date=release_date)
                shutil.rmtree(build_dir / FAILED_REPORTS, ignore_errors=True)
            else:
                failed = build_dir / FAILED_REPORTS
                shutil.rmtree(failed, ignore_errors=True)
                shutil.move(release / "reports", failed)
            return reports
        finally:
            gates.stop()
            discard(build_dir, release)
