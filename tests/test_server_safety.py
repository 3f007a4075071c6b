"""Hostile inputs: each is refused or bounded, and the server keeps answering afterwards."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from cytokg.sparql.safety import plainly_safe
from cytokg.web.app import create_app

from .conftest import BACKENDS, ROOT, backend_config

ASK = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    config = {"QUERY_TIMEOUT": 2.0, "MAX_ROWS": 5, "CLIENT_BUDGET": 10_000.0, "MAX_QUERY_BYTES": 100_000}
    app = create_app(built, ROOT / "queries", config | backend_config(request))
    yield app.test_client()
    app.extensions["cytokg"].close()


def still_answers(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": ASK}, headers=JSON)
    assert response.status_code == 200 and response.get_json()["boolean"] is True


def test_cartesian_product_is_stopped_by_the_time_limit(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 503
    assert "longer than 2 s" in response.get_json()["error"]
    assert response.headers["Retry-After"]
    still_answers(client)


def test_result_limit_is_signalled(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert response.status_code == 200
    assert response.headers["CytoKG-Result-Limit"] == "truncated at 5 rows"
    body = response.get_json()
    assert len(body["results"]["bindings"]) == 5
    assert body["head"]["link"][0].endswith("truncated-at-5")
    csv = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert csv.headers["CytoKG-Result-Limit"] and len(csv.get_data(as_text=True).splitlines()) == 6


def test_small_results_are_not_marked(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, headers=JSON)
    assert "CytoKG-Result-Limit" not in response.headers


def test_large_request_gets_413(client: FlaskClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413 and "error" in response.get_json()
    still_answers(client)


def test_non_utf8_gets_400(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"SELECT * WHERE { ?s ?p \xff }", content_type="application/sparql-query")
    assert response.status_code == 400 and "UTF-8" in response.get_json()["error"]


def test_update_content_type_and_parameter_are_refused(client: FlaskClient) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert client.post("/sparql", data=update, content_type="application/sparql-update").status_code == 403
    assert client.post("/sparql", data={"update": update}).status_code == 403
    count = "SELECT (COUNT(*) AS ?n) WHERE { <urn:a> ?p ?o }"
    assert (
        client.get("/sparql", query_string={"query": count}, headers=JSON).get_json()["results"]["bindings"][0]["n"][
            "value"
        ]
        == "0"
    )


def test_from_a_file_iri_reads_nothing(client: FlaskClient) -> None:
    query = "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []
    still_answers(client)


@pytest.mark.parametrize(
    ("query", "safe"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", True),
        ("# from a header comment\nPREFIX x: <https://w3id.org/cytokg/vocab/#>\nASK { ?s ?p ?o }", True),
        ("SELECT * FROM <x:y> WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { SERVICE <http://e/> { ?s ?p ?o } }", False),
        ("SELECT * WHERE { \\u0053ERVICE <http://e/> { ?s ?p ?o } }", False),  # a codepoint escape
        ('SELECT * WHERE { BIND ("""a\n#""" AS ?x) SERVICE <http://e/> { ?s ?p ?o } }', False),  # '#' in a string
        ("PREFIX select: <x:>\nINSERT DATA { <a:b> <a:b> <a:b> }", False),
        ("SELECT * WHERE { ?s ?p ?o } # a comment naming service", True),  # comments are read as Oxigraph ends them
        ("SELECT * WHERE { ?s ?p ?o } #\rSERVICE <http://e/> {}", False),  # a carriage return ends a comment
    ],
)
def test_only_plainly_safe_text_skips_the_full_parse(query: str, safe: bool) -> None:
    assert plainly_safe(query) is safe


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT*{{?s ?p 1SERVICE SILENT<{url}>{{}}}}",  # a keyword glued to a number
        "SELECT * WHERE {{ ?s ?p ?o #\r SERVICE SILENT <{url}> {{}}\n}}",  # rdflib ends comments at \n only
        "# x\rSELECT * {{ SERVICE SILENT <{url}> {{}} {{\nSELECT * WHERE {{}} #\r}} }}",  # valid to rdflib too
    ],
)
def test_service_to_a_loopback_listener_never_connects(client: FlaskClient, template: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.0)
    port = listener.getsockname()[1]
    connected: list[bool] = []

    def accept() -> None:
        try:
            listener.accept()
            connected.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    query = template.format(url=f"http://127.0.0.1:{port}/sparql")
    response = client.get("/sparql", query_string={"query": query})
    thread.join()
    listener.close()
    assert response.status_code in {400, 403}
    assert not connected, "the server opened a connection for SERVICE"
    still_answers(client)


def test_options_preflight_and_head(client: FlaskClient) -> None:
    response = client.options("/sparql")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    head = client.head("/sparql", query_string={"query": ASK}, headers=JSON)
    assert head.status_code == 200 and head.get_data() == b""


def test_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.get_json()["status"] == 404
