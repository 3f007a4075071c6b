"""Statistics once per release: the build counts and hashes, the app reads the file and runs no query at start."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from cytokg.backends.base import Answer, Job
from cytokg.publish import CURRENT, build_lock, new_release, publish
from cytokg.release import DOWNLOAD_FILES, STATISTICS_FILE
from cytokg.statistics import compute_statistics, read_statistics, store_rows
from cytokg.store import open_store
from cytokg.web.app import create_app
from cytokg.web.context import open_executor

from .conftest import ROOT


class _Counting:
    """An executor that runs queries on the real pool and counts them."""

    def __init__(self, built: Path) -> None:
        from cytokg.web.app import DEFAULTS

        self.pool = open_executor(built, DEFAULTS)
        self.jobs: list[Job] = []

    def run(self, job: Job, client: str = "-") -> Answer:
        self.jobs.append(job)
        return self.pool.run(job, client)

    def close(self) -> None:
        self.pool.close()


def test_the_release_holds_its_statistics(built: Path) -> None:
    stored = read_statistics(built)
    assert stored is not None
    live = compute_statistics(store_rows(open_store(built / "oxigraph")), ROOT / "queries", built)
    assert stored == live
    assert stored.counts["cytokines"] > 100 and stored.partitions.classes and stored.tables["terms"]
    assert set(stored.downloads) == {name for name in DOWNLOAD_FILES if (built / name).is_file()}
    for name, download in stored.downloads.items():
        data = (built / name).read_bytes()
        assert (download.size, download.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_the_app_starts_and_serves_its_pages_without_counting(built: Path) -> None:
    executor = _Counting(built)
    app = create_app(built, ROOT / "queries", executor=executor)
    try:
        assert executor.jobs == []
        client = app.test_client()
        for page in ("/", "/vocabulary", "/downloads"):
            assert client.get(page).status_code == 200
        assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
        assert executor.jobs == [], "the home, vocabulary and downloads pages and the service description read the file"
    finally:
        app.extensions["cytokg"].close()


def test_an_older_release_is_counted_at_start(built: Path, tmp_path: Path) -> None:
    """A release built before statistics.json existed: the same statistics, counted once through the pool."""
    old = tmp_path / "build"
    with build_lock(old):
        release = new_release(old)
        shutil.copytree((built / CURRENT).resolve(), release, dirs_exist_ok=True, copy_function=os.link)
        (release / STATISTICS_FILE).unlink()
        publish(old, release)
    executor = _Counting(release)
    app = create_app(old, ROOT / "queries", executor=executor)
    try:
        assert executor.jobs, "counted at start"
        assert app.extensions["cytokg"].statistics == read_statistics(built)
    finally:
        app.extensions["cytokg"].close()


def test_a_damaged_file_names_itself(built: Path, tmp_path: Path) -> None:
    (tmp_path / STATISTICS_FILE).write_text('{"version": "x"}', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{STATISTICS_FILE}: not a CytoKG statistics file"):
        read_statistics(tmp_path)
