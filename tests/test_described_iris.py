"""IRIs that name no entity dereference too: example queries, the VoID description, named graphs and datasets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, SH, Graph, URIRef
from rdflib.compare import isomorphic

from cytokg.exports.examples import EXAMPLES_NAMESPACE
from cytokg.namespaces import BASE
from cytokg.publish import current_release
from cytokg.release import EXAMPLES_FILE
from cytokg.store import EXAMPLES_GRAPH, INFERRED_GRAPH
from cytokg.web.app import create_app

from .conftest import ROOT


@pytest.fixture(scope="module")
def client(built: Path) -> Iterator[FlaskClient]:
    app = create_app(built, ROOT / "queries")
    try:
        yield app.test_client()
    finally:
        app.extensions["cytokg"].close()


def _local(iri: str) -> str:
    return "/" + iri.removeprefix(BASE)


def test_every_example_query_iri_gives_its_page_or_its_rdf(client: FlaskClient, built: Path) -> None:
    examples = Graph().parse(current_release(built) / EXAMPLES_FILE)
    iris = sorted(str(s) for s in examples.subjects(RDF.type, SH.SPARQLExecutable))
    assert iris and all(iri.startswith(str(EXAMPLES_NAMESPACE)) for iri in iris)
    for iri in iris:
        name = iri.removeprefix(str(EXAMPLES_NAMESPACE))
        page = client.get(_local(iri), headers={"Accept": "text/html"})
        assert page.status_code == 303 and page.location.endswith(f"/query?example={name}"), iri
        answer = client.get(_local(iri), headers={"Accept": "text/turtle"})
        assert answer.status_code == 200 and answer.content_type.startswith("text/turtle"), iri
        own = Graph().parse(data=answer.data, format="turtle")
        assert isomorphic(own, examples.cbd(URIRef(iri))), iri  # its triples and prefix declarations, no more


def test_an_unknown_example_is_404_before_any_query(client: FlaskClient) -> None:
    for name in ("no-such-example", "..", "cq07-interleukin-etymology.rq", "%2e%2e%2fREADME"):
        assert client.get(f"/.well-known/sparql-examples/{name}").status_code == 404, name


def test_the_void_description_is_where_void_says_to_look(client: FlaskClient) -> None:
    answer = client.get("/.well-known/void")
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    void = Graph().parse(data=answer.data, format="turtle")
    assert (URIRef(f"{BASE}dataset/cytokg"), None, None) in void


def test_graph_and_dataset_iris_lead_to_the_service_description_that_names_them(client: FlaskClient) -> None:
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    for iri in (INFERRED_GRAPH, EXAMPLES_GRAPH, f"{BASE}dataset/cytokg"):
        answer = client.get(_local(iri), headers={"Accept": "text/turtle"})
        assert answer.status_code == 303 and answer.location.endswith("/sparql"), iri
        assert (None, None, URIRef(iri)) in description or (URIRef(iri), None, None) in description, iri
    linkset = next(iter(description.subjects(RDF.type, URIRef("http://rdfs.org/ns/void#Linkset"))))
    assert client.get(_local(str(linkset))).status_code == 303
    for path in ("/graph/nothing", "/graph/asserted", "/dataset/nothing", "/dataset/linkset/nothing"):
        assert client.get(path).status_code == 404, path
