"""Real SPARQL clients get correct answers from a running CytoKG server."""

from __future__ import annotations

import json
import warnings
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, N3, RDFXML, XML, SPARQLWrapper
from SPARQLWrapper.Wrapper import _allowedFormats

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


CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"


@pytest.mark.parametrize(
    ("wrapper_format", "rdflib_format"), [(XML, "xml"), (RDFXML, "xml"), (N3, "turtle"), (JSONLD, "json-ld")]
)
def test_sparqlwrapper_construct_in_every_format_it_asks_for(
    server: str, wrapper_format: str, rdflib_format: str
) -> None:
    """SPARQLWrapper sends format=xml, rdf+xml, n3 or json-ld for CONSTRUCT; Fuseki and Virtuoso accept all."""
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(wrapper_format)
    response = client.query().response
    assert response.status == 200
    assert len(Graph().parse(data=response.read(), format=rdflib_format)) == 5


def _get(url: str, **headers: str) -> tuple[int, str, bytes]:
    try:
        with urlopen(Request(url, headers=headers)) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_other_names_of_formats(server: str) -> None:
    """Accept: application/json means SPARQL JSON results for SELECT and JSON-LD for CONSTRUCT; format=rdf is
    RDF/XML; an unknown format is refused with the names that work."""
    select = f"{server}/sparql?{urlencode({'query': QUERY})}"
    status, media, body = _get(select, Accept="application/json")
    assert (status, media.split(";")[0]) == (200, "application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"]
    construct = f"{server}/sparql?{urlencode({'query': CONSTRUCT})}"
    status, media, _ = _get(construct, Accept="application/json")
    assert (status, media.split(";")[0]) == (200, "application/ld+json")
    status, media, body = _get(construct + "&format=rdf")
    assert (status, media.split(";")[0]) == (200, "application/rdf+xml")
    assert len(Graph().parse(data=body, format="xml")) == 5
    status, _, body = _get(select + "&format=yaml")
    assert status == 406 and "format= one of json, srj, xml, srx, csv, tsv" in json.loads(body)["error"]


#: Each query form and how to check its answer: a SELECT and an ASK with known answers, a CONSTRUCT of five
#: triples and the DESCRIBE of gp130.
_FORMS = {
    "SELECT": QUERY,
    "ASK": 'PREFIX cyto: <https://w3id.org/cytokg/vocab/> ASK { ?p cyto:commonName "gp130" }',
    "CONSTRUCT": CONSTRUCT,
    "DESCRIBE": "DESCRIBE <https://w3id.org/cytokg/protein/HGNC_6021>",
}
_GP130 = "https://w3id.org/cytokg/protein/HGNC_6021"


def _check_answer(form: str, media: str, body: bytes) -> None:
    """The answer says what the query asks, in the media type the server says it sent."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        rdflib_format = {
            "text/turtle": "turtle",
            "application/n-triples": "nt",
            "application/rdf+xml": "xml",
            "application/ld+json": "json-ld",
        }[media]
        graph = Graph().parse(data=body, format=rdflib_format)
        assert len(graph) == 5 if form == "CONSTRUCT" else (URIRef(_GP130), None, None) in graph
        return
    text = body.decode("utf-8")
    if media == "application/sparql-results+json":
        data = json.loads(text)
        assert data["boolean"] is True if form == "ASK" else data["results"]["bindings"][0]["p"]["value"] == _GP130
    else:
        assert media in ("application/sparql-results+xml", "text/csv", "text/tab-separated-values"), media
        assert ("true" in text) if form == "ASK" else (_GP130 in text)


@pytest.mark.parametrize("form", list(_FORMS))
@pytest.mark.parametrize("wrapper_format", _allowedFormats)
def test_sparqlwrapper_defaults_in_every_return_format(server: str, form: str, wrapper_format: str) -> None:
    """SPARQLWrapper, left at its defaults (GET, format= in three parameters, its Accept header), gets an answer
    for every query form in every return format it offers; a format that does not fit the query form (Turtle
    for a SELECT) makes it send Accept: */*, and the answer comes in the endpoint's default format."""
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(_FORMS[form])
    client.setReturnFormat(wrapper_format)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper warns when it falls back to */*
        response = client.query().response
    assert response.status == 200
    _check_answer(form, response.headers["Content-Type"].split(";")[0], response.read())
