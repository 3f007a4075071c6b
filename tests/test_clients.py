"""Real SPARQL clients get correct answers from a running CytoKG server."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from .conftest import BACKENDS

QUERY = 'PREFIX cyto: <https://w3id.org/cytokg/vocab/> SELECT ?p WHERE { ?p cyto:commonName "gp130" }'


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest) -> str:
    """`cytokg serve` on the embedded store, or `cytokg serve --backend` on Virtuoso."""
    return str(request.getfixturevalue("live_server" if request.param == "embedded" else "live_server_virtuoso"))


def test_sparqlwrapper_select_ask_construct(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [b["p"]["value"] for b in bindings] == ["https://w3id.org/cytokg/protein/HGNC_6021"]
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5")
    client.setReturnFormat("turtle")
    assert len(Graph().parse(data=client.query().convert(), format="turtle")) == 5
    client.setMethod("POST")
    client.setQuery(QUERY)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"]


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    rows = list(graph.query(QUERY))
    assert [str(row[0]) for row in rows] == ["https://w3id.org/cytokg/protein/HGNC_6021"]
