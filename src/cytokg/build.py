"""``cytokg build``: compile, write the release files to a staging folder, run the gates, promote."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .compile import compile_graphs
from .gates import INFERRED_TYPES, GateReport, Layout, run_gates
from .linksets import linkset_description
from .release import DOWNLOAD_FILES, MAPPING_FILE, RELEASE_FILES, VOID_FILE
from .search import SEARCH_FILE, write_index
from .serialize import write_graph
from .sssom_table import sssom_text
from .store import INFERRED_GRAPH, add_named_graph, create_store, open_store
from .writing import write_atomic

__all__ = ["build"]


def _write_release(ontology_dir: Path, folder: Path, release_date: str, progress: Callable[[str], None]):  # type: ignore[no-untyped-def]
    progress("compiling curated sources")
    compiled = compile_graphs(ontology_dir, release_date)
    folder.mkdir(parents=True, exist_ok=True)
    for name in RELEASE_FILES:
        progress(f"writing {name}")
        graph = compiled.tbox if name == "cytokg-ontology.owl" else compiled.full
        write_graph(graph, folder / name)
    progress(f"writing {MAPPING_FILE} and {VOID_FILE}")
    write_atomic(folder / MAPPING_FILE, sssom_text(compiled.full, compiled.mappings, release_date).encode())
    write_graph(linkset_description(compiled.full), folder / VOID_FILE)
    for name in DOWNLOAD_FILES:
        write_atomic(folder / f"{name}.gz", gzip.compress((folder / name).read_bytes(), compresslevel=9, mtime=0))
    progress("loading the Oxigraph store")
    create_store(folder / "cytokg.nt", folder / "oxigraph")
    progress("writing the search index")
    write_index(open_store(folder / "oxigraph"), folder / SEARCH_FILE)
    return compiled


def _promote(staging: Path, build_dir: Path) -> None:
    """Move every staged file into ``build_dir``: each replace is atomic, good files are never half-written."""
    for path in sorted(staging.rglob("*")):
        if path.is_dir() or "oxigraph" in path.relative_to(staging).parts:
            continue
        target = build_dir / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    store = build_dir / "oxigraph"
    old = build_dir / "oxigraph.old"
    shutil.rmtree(old, ignore_errors=True)
    if store.exists():
        store.rename(old)
    (staging / "oxigraph").rename(store)
    shutil.rmtree(old, ignore_errors=True)


def build(
    ontology_dir: Path,
    build_dir: Path,
    layout: Layout,
    release_date: str,
    progress: Callable[[str], None],
) -> list[GateReport]:
    """Build into a staging folder, run the gates, and promote to ``build_dir`` only if all pass.

    :returns: the gate reports; on any failure ``build_dir`` keeps its previous files.
    """
    staging = build_dir / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        compiled = _write_release(ontology_dir, staging, release_date, progress)
        reports = run_gates(staging, compiled.full, layout, progress)
        if all(report.ok for report in reports):
            progress("adding the reasoner's inferred memberships to the store")
            add_named_graph(staging / "oxigraph", staging / INFERRED_TYPES, INFERRED_GRAPH)
            progress("promoting the release files")
            _promote(staging, build_dir)
        else:
            failed = build_dir / "failed-reports"
            shutil.rmtree(failed, ignore_errors=True)
            shutil.move(str(staging / "reports"), str(failed))
        return reports
    finally:
        shutil.rmtree(staging, ignore_errors=True)
