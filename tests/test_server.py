"""The SPARQL endpoint: protocol, content negotiation, read-only safety, downloads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph

from cytokg.namespaces import DATASET
from cytokg.web.app import create_app

from .conftest import BACKENDS, ROOT, backend_config

ASK = "ASK { ?s ?p ?o }"
SELECT = 'PREFIX cyto: <https://w3id.org/cytokg/vocab/> SELECT ?s WHERE { ?s cyto:hgncSymbol "IL6" }'
CONSTRUCT = (
    "PREFIX cyto: <https://w3id.org/cytokg/vocab/> "
    "CONSTRUCT { ?s cyto:hgncSymbol ?o } WHERE { ?s cyto:hgncSymbol ?o } LIMIT 3"
)


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    config = {"CLIENT_BUDGET": 100_000.0, "CLIENT_PARALLEL": 1000} | backend_config(request)
    app = create_app(built, ROOT / "queries", config)
    yield app.test_client()
    app.extensions["cytokg"].close()


def test_ask_get(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert response.get_json()["boolean"] is True


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        ("text/*", "text/csv"),
    ],
)
def test_select_negotiation(client: FlaskClient, accept: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media
    body = response.get_data(as_text=True)
    assert "HGNC_6018" in body
    if media == "text/csv":
        assert next(iter(csv.reader(io.StringIO(body)))) == ["s"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_negotiation(client: FlaskClient, accept: str, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert len(Graph().parse(data=response.get_data(as_text=True), format=fmt)) == 3


def test_post_forms_agree(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    get = client.get("/sparql", query_string={"query": SELECT}, headers=accept).get_json()
    form = client.post("/sparql", data={"query": SELECT}, headers=accept).get_json()
    direct = client.post("/sparql", data=SELECT, content_type="application/sparql-query", headers=accept).get_json()
    assert get == form == direct


def test_406_lists_types(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_json()["error"]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DROP ALL",
        "LOAD <file:///etc/passwd>",
        "CLEAR DEFAULT",
    ],
)
def test_updates_are_refused(client: FlaskClient, update: str) -> None:
    for response in (
        client.post("/sparql", data={"update": update, "query": update}),
        client.post("/sparql", data=update, content_type="application/sparql-query"),
    ):
        assert response.status_code in (400, 403)
        assert "error" in response.get_json()
    assert client.get("/sparql", query_string={"query": ASK}).status_code == 200


def test_service_is_refused(client: FlaskClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403 and "allow-list" in response.get_json()["error"]


def test_malformed_query_gives_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "line 1" in response.get_json()["error"]


def test_graph_uri_parameters_select_graphs_in_the_store(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    empty = client.get(
        "/sparql", query_string={"query": ASK, "default-graph-uri": "urn:x:no-such-graph"}, headers=accept
    )
    assert empty.status_code == 200 and empty.get_json()["boolean"] is False, "a named graph the store lacks is empty"
    for bad in ("file:///etc/passwd", "relative/path"):
        response = client.get("/sparql", query_string={"query": ASK, "default-graph-uri": bad})
        assert response.status_code == 400 and "absolute IRIs" in response.get_json()["error"]


def test_service_description(client: FlaskClient) -> None:
    from rdflib import Namespace
    from rdflib.namespace import RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = Namespace("http://rdfs.org/ns/void#")
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    service = next(graph.subjects(RDF.type, sd.Service))
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) not in graph, "no update: the service is read-only"
    assert not list(graph.objects(service, sd.feature)), "claims no feature (entailment etc.) it lacks"
    triples = int(str(graph.value(DATASET, void.triples)))
    count = client.get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    ).get_json()
    assert triples == int(count["results"]["bindings"][0]["n"]["value"])
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 302 and browser.headers["Location"].endswith("/query")
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")) == len(graph)


def test_cors_health_home_downloads(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(client.get("/healthz").get_data())["status"] == "ok"
    assert "receptor complexes" in client.get("/").get_data(as_text=True)
    listing = client.get("/downloads").get_data(as_text=True)
    assert "cytokg.owl" in listing
    download = client.get("/downloads/cytokg.ttl")
    assert download.status_code == 200 and download.mimetype == "text/turtle"
    assert client.get("/downloads/..%2Fetc%2Fpasswd").status_code == 404


def test_protocol_errors(client: FlaskClient) -> None:
    """Bad requests of the W3C protocol suite: each gets a clear 4xx with a reason."""
    assert client.post("/sparql", data=ASK, content_type="text/plain").status_code == 415
    assert client.post("/sparql", data=ASK).status_code == 415  # no content type
    two = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert two.status_code == 400 and "one 'query'" in two.get_json()["error"]
    assert client.put("/sparql", data=ASK).status_code == 405


def test_downloads_gzip_etag_304(client: FlaskClient) -> None:
    import gzip

    plain = client.get("/downloads/cytokg.nt")
    packed = client.get("/downloads/cytokg.nt", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    etag = plain.headers["ETag"]
    assert client.get("/downloads/cytokg.nt", headers={"If-None-Match": etag}).status_code == 304
    assert plain.headers["Last-Modified"]


ASK_TRUE = "ASK { ?s a ?t }"
DESCRIBE = "DESCRIBE <https://w3id.org/cytokg/protein/HGNC_6018>"
RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
GRAPHS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@pytest.mark.parametrize("query", [SELECT, ASK_TRUE], ids=["select", "ask"])
@pytest.mark.parametrize("media", RESULTS)
def test_matrix_select_ask(client: FlaskClient, query: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    body = response.get_data(as_text=True)
    if media.endswith("json"):
        assert json.loads(body)
    elif media.endswith("xml"):
        assert '<sparql xmlns="http://www.w3.org/2005/sparql-results#">' in body
    else:
        assert body.splitlines()[0] in ("s", "?s", "_askResult", "?_askResult")


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("media", list(GRAPHS))
def test_matrix_construct_describe(client: FlaskClient, query: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    assert len(Graph().parse(data=response.get_data(as_text=True), format=GRAPHS[media])) > 0


@pytest.mark.parametrize(
    ("accept", "select_media", "graph_media"),
    [
        ("*/*", "application/sparql-results+json", "text/turtle"),
        ("text/turtle;q=0.9, application/sparql-results+xml;q=0.5", "application/sparql-results+xml", "text/turtle"),
        (
            "application/rdf+xml, application/sparql-results+json;q=0.1",
            "application/sparql-results+json",
            "application/rdf+xml",
        ),
        (
            'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded", text/csv',
            "text/csv",
            "application/ld+json",
        ),
    ],
)
def test_combined_accept_headers(client: FlaskClient, accept: str, select_media: str, graph_media: str) -> None:
    assert client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept}).mimetype == select_media
    assert client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept}).mimetype == graph_media


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert response.mimetype == "text/tab-separated-values"


def test_two_megabyte_query_is_413_with_defaults(client: FlaskClient) -> None:
    query = "ASK { ?s ?p ?o } #" + "x" * 2_000_000
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413 and "error" in response.get_json()
    assert client.get("/sparql", query_string={"query": ASK}).status_code == 200


def test_reasoner_memberships_are_served(client: FlaskClient) -> None:
    """The default graph at /sparql includes HermiT's inferred memberships (named graph cytokg graph/inferred)."""
    query = (
        "PREFIX cyto: <https://w3id.org/cytokg/vocab/> SELECT ?symbol WHERE { "
        "?x a cyto:GP130FamilyCytokine ; cyto:hgncSymbol ?symbol } ORDER BY ?symbol"
    )
    body = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    symbols = {b["symbol"]["value"] for b in body.get_json()["results"]["bindings"]}
    assert {"IL6", "IL11", "OSM", "LIF", "CNTF"} <= symbols and "IL31" not in symbols
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.get("/sparql", query_string={"query": graphs}, headers={"Accept": "application/sparql-results+json"})
    assert sorted(b["g"]["value"] for b in named.get_json()["results"]["bindings"]) == [
        "https://w3id.org/cytokg/graph/examples",
        "https://w3id.org/cytokg/graph/inferred",
    ], "the inferred memberships and the example queries, each in its named graph"


def test_serve_passes_the_per_client_caps_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--client-heavy`` (long-running queries per client at once), ``--query-memory`` and ``--no-query-threads``
    reach the app like the other limits."""
    from click.testing import CliRunner

    from cytokg.cli import main

    (tmp_path / "oxigraph").mkdir()
    seen: dict[str, object] = {}
    monkeypatch.setattr("cytokg.web.serve.serve", lambda _build, _queries, _settings, config: seen.update(config))
    runner = CliRunner()
    options = ["--client-heavy", "3", "--client-parallel", "5", "--query-memory", "512", "--no-query-threads"]
    done = runner.invoke(main, ["serve", "--build-dir", str(tmp_path), *options])
    assert done.exit_code == 0, done.output
    assert (seen["CLIENT_HEAVY"], seen["CLIENT_PARALLEL"], seen["QUERY_MEMORY"]) == (3, 5, 512)
    assert seen["QUERY_THREADS"] is False
    refused = runner.invoke(main, ["serve", "--build-dir", str(tmp_path), "--client-heavy", "0"])
    assert refused.exit_code == 2 and "--client-heavy" in refused.output
    too_little = runner.invoke(main, ["serve", "--build-dir", str(tmp_path), "--query-memory", "40"])
    assert too_little.exit_code == 2 and "--query-memory" in too_little.output and "256" in too_little.output
