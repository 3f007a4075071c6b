"""The external-store executor's own paths, against a loopback listener that stands in for the store: a query
over graphs outside the store runs in the pool under the time limit, and ``text:matches`` is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from cytokg.backends.base import Job, QueryTimeout
from cytokg.backends.embedded import EXTERNAL_TEXT_SEARCH, QueryPool
from cytokg.backends.lanes import LaneSettings
from cytokg.backends.remote import RemoteExecutor, RemoteStore

from .test_hostile import Listener

#: Ten billion rows from VALUES alone: no data needed, so an empty store runs it until it is stopped.
_VALUES = " ".join(f"VALUES ?v{block} {{ {' '.join(str(n) for n in range(100))} }}" for block in range(5))
ENDLESS = f"SELECT (COUNT(*) AS ?n) FROM <urn:elsewhere:graph> WHERE {{ {_VALUES} }}"  # noqa: S608 (SPARQL)


@pytest.fixture(scope="module")
def remote() -> Iterator[tuple[RemoteExecutor, Listener]]:
    """An executor whose store URL is a loopback listener: any request to the store would show there."""
    listener = Listener()
    # a limit that holds the first FROM query's import of rdflib's parser on a loaded machine
    pool = QueryPool(None, LaneSettings(timeout=10.0, fast=1, heavy=1))
    pool.start()
    store = RemoteStore(f"http://127.0.0.1:{listener.port}/sparql", timeout=2.0)
    yield RemoteExecutor(store, pool, max_rows=5), listener
    pool.close()
    listener.close()


def test_a_query_over_graphs_outside_the_store_answers_empty(remote: tuple[RemoteExecutor, Listener]) -> None:
    executor, listener = remote
    answer = executor.run(Job("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"))
    assert (answer.status, json.loads(answer.body)["results"]["bindings"]) == (200, [])
    assert listener.connections == 0


def test_a_query_over_graphs_outside_the_store_is_stopped_by_the_time_limit(
    remote: tuple[RemoteExecutor, Listener],
) -> None:
    """It used to run on an empty store inside the web process, with no limit at all."""
    _, listener = remote
    pool = QueryPool(None, LaneSettings(timeout=2.0, fast=1, heavy=1))  # the limit is what this test is about
    pool.start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{listener.port}/sparql", timeout=2.0)
        with pytest.raises(QueryTimeout):
            RemoteExecutor(store, pool, max_rows=5).run(Job(ENDLESS))
    finally:
        pool.close()
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query",
    [
        'PREFIX text: <https://w3id.org/cytokg/text#> SELECT ?e WHERE { ?e text:matches "interleukin 6" . }',
        'SELECT ?e WHERE { ?e <https://w3id.org/cytokg/text#matches> "IL6" }',
    ],
)
def test_text_search_is_refused_on_an_external_store(remote: tuple[RemoteExecutor, Listener], query: str) -> None:
    """There it would match nothing, silently: refused with the reason instead."""
    executor, listener = remote
    answer = executor.run(Job(query))
    assert (answer.status, answer.error) == (400, EXTERNAL_TEXT_SEARCH)
    assert listener.connections == 0
