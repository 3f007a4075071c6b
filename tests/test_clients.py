"""Real SPARQL clients get correct answers from a running CytoKG server."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from .conftest import BACKENDS, result_rows

QUERY = 'PREFIX cyto: <https://w3id.org/cytokg/vocab/> SELECT ?p WHERE { ?p cyto:commonName "gp130" }'


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest) -> str:
    """`cytokg serve` on the embedded store, or `cytokg serve --backend` on Virtuoso."""
    return str(request.getfixturevalue("live_server" if request.param == "embedded" else "live_server_virtuoso"))


def _json(client: SPARQLWrapper) -> dict[str, Any]:
    data = client.query().convert()
    assert isinstance(data, dict), f"not JSON: {data!r}"
    return data


def test_sparqlwrapper_select_ask_construct(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    bindings = _json(client)["results"]["bindings"]
    assert [b["p"]["value"] for b in bindings] == ["https://w3id.org/cytokg/protein/HGNC_6021"]
    client.setQuery("ASK { ?s ?p ?o }")
    assert _json(client)["boolean"] is True
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    client.setReturnFormat("turtle")
    data = client.query().convert()
    assert isinstance(data, bytes | str)
    assert len(Graph().parse(data=data, format="turtle")) == 5
    client.setMethod("POST")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    assert _json(client)["results"]["bindings"]


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    rows = result_rows(graph.query(QUERY))
    assert [str(row[0]) for row in rows] == ["https://w3id.org/cytokg/protein/HGNC_6021"]
