"""The query pool's lanes, seen from the inside: which process answers, and which is retired."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cytokg.backends.base import Job
from cytokg.backends.embedded import LaneSettings, QueryPool
from cytokg.publish import current_release

CHEAP = Job("ASK { <https://w3id.org/cytokg/protein/HGNC_6018> ?p ?o }")
JOIN = Job("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e }")  # about 0.35 s of CPU


@pytest.fixture()
def pool(built: Path) -> Iterator[QueryPool]:
    pool = QueryPool(current_release(built) / "oxigraph", LaneSettings(timeout=20, fast=2, fast_budget=0.1))
    pool.start()
    yield pool
    pool.close()


def test_a_new_process_answers_its_first_cheap_query_in_the_fast_lane(pool: QueryPool) -> None:
    """Starting a process (imports, opening the store) is not counted as the query's CPU time: the process
    stays in the fast lane and is reused, even while other queries wait."""
    started = set(pool.pids)
    answer = pool.run(CHEAP)
    assert answer.status == 200 and b"true" in answer.body
    assert set(pool.pids) == started


def test_a_query_that_outgrows_the_fast_lane_is_answered_and_its_process_retired(pool: QueryPool) -> None:
    started = set(pool.pids)
    answer = pool.run(JOIN)
    assert answer.status == 200 and answer.rows == 1
    assert len(started - set(pool.pids)) == 1  # the re-niced process was retired, not given back
