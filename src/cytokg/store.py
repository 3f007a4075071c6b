"""The embedded Oxigraph store: built once from N-Triples, opened read-only by every worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph

__all__ = ["create_store", "open_store"]


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


def open_store(directory: Path) -> pyoxigraph.Store:
    """Open a built store read-only."""
    if not directory.exists():
        raise FileNotFoundError(f"{directory}: no store here; run `cytokg build` first")
    return pyoxigraph.Store.read_only(str(directory))
