"""The W3C SPARQL 1.1 Protocol tests (../shared/conformance), run against a live CytoKG server.

Every query test must pass; every update test must get a clear refusal (4xx with a reason), since
CytoKG is read-only. The tests' graph data are loaded as named graphs of a throw-away store.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .conftest import REFDATA, ROOT, _free_port, need, wait_until_serving

MANIFEST = REFDATA.parent / "conformance" / "w3c-sparql11" / "protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")


def _items(graph: Graph, head: Node | None) -> Collection:
    """The members of an RDF list (a manifest without the list fails the test)."""
    assert head is not None, "the manifest lacks a list it must have"
    return Collection(graph, head)


def _tests() -> list[dict[str, Any]]:
    if not MANIFEST.exists():
        return []
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for test in _items(graph, graph.value(manifest, MF.entries)):
        requests = []
        action = graph.value(test, MF.action)
        for request in _items(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body = graph.value(request, HT.body)
            response = graph.value(request, HT.resp)
            requests.append(
                {
                    "method": str(graph.value(request, HT.methodName)),
                    "path": str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                    "headers": headers,
                    "body": str(graph.value(body, CNT.chars)) if body is not None else None,
                    "status": {
                        str(s).rsplit("StatusCode", 1)[-1][0] for s in graph.objects(response, MF.expectedStatus)
                    },
                    "format": str(graph.value(response, MF.expectedFormat) or ""),
                    "boolean": graph.value(response, MF.expectedBoolean),
                }
            )
        data = [
            (str(graph.value(d, UT.graph)), str(graph.value(d, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))))
            for d in graph.objects(test, UT.graphData)
        ]
        tests.append({"name": str(test).rsplit("#", 1)[-1], "requests": requests, "data": data})
    return tests


TESTS = _tests()


@pytest.fixture(scope="module")
def conformance_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need(MANIFEST.exists(), f"W3C protocol tests not found at {MANIFEST}")
    folder = tmp_path_factory.mktemp("conformance")
    store = pyoxigraph.Store(str(folder / "oxigraph"))
    for data_file, graph_name in {pair for test in TESTS for pair in test["data"]}:
        store.load(
            path=str(MANIFEST.parent / Path(data_file).name),
            format=pyoxigraph.RdfFormat.N_TRIPLES,
            to_graph=pyoxigraph.NamedNode(graph_name),
        )
    store.flush()
    del store
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cytokg",
            "serve",
            "--build-dir",
            str(folder),
            "--queries-dir",
            str(ROOT / "queries"),
            "--port",
            str(port),
            "--client-budget",
            "100000",
            "--client-parallel",
            "1000",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"127.0.0.1:{port}"
    try:
        wait_until_serving(f"http://{url}")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _send(server: str, request: dict[str, Any]) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(server, timeout=30)
    body = request["body"]
    charset = request["headers"].get("content-type", "").lower()
    payload = body.encode("utf-16") if body is not None and "utf-16" in charset else (body or "").encode("utf-8")
    headers = dict(request["headers"])
    if body is None:
        payload = b""
    connection.request(request["method"], request["path"], body=payload if body is not None else None, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type", ""), response.read()


def _check_format(expected: str, media: str, body: bytes, boolean: object) -> None:
    if expected == "boolean":
        assert "sparql-results+json" in media or "sparql-results+xml" in media, media
        value = json.loads(body)["boolean"] if "json" in media else b"<boolean>true</boolean>" in body
        if boolean is not None:
            assert value == (str(boolean) == "true")
    elif expected == "tabular":
        assert media.split(";")[0] in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        ), media
    elif expected == "RDF":
        fmt = {
            "text/turtle": "turtle",
            "application/rdf+xml": "xml",
            "application/n-triples": "nt",
            "application/ld+json": "json-ld",
        }[media.split(";")[0]]
        Graph().parse(data=body.decode("utf-8"), format=fmt)


@pytest.mark.parametrize("test", TESTS, ids=[t["name"] for t in TESTS])
def test_w3c_protocol(conformance_server: str, test: dict[str, Any]) -> None:
    for request in test["requests"]:
        status, media, body = _send(conformance_server, request)
        is_update = "sparql-update" in request["headers"].get("content-type", "") or (
            (request["body"] or "").startswith("update=") or "update=" in request["path"]
        )
        if is_update:
            assert 400 <= status < 500, f"an update must be refused, got {status}"
            assert json.loads(body)["error"], "a refusal says why"
            continue
        if test["name"].startswith("update_"):  # checks of an update's effect: the service stays read-only
            assert str(status)[0] == "2", f"{test['name']}: follow-up query failed with {status}"
            continue
        assert str(status)[0] in request["status"], f"{test['name']}: status {status}, expected {request['status']}xx"
        if str(status)[0] == "2" and request["format"]:
            _check_format(request["format"], media, body, request["boolean"])
    assert (
        _send(
            conformance_server,
            {
                "method": "GET",
                "path": "/sparql?query=ASK%7B%7D",
                "headers": {},
                "body": None,
                "status": set(),
                "format": "",
                "boolean": None,
            },
        )[0]
        == 200
    )


def test_manifest_was_read() -> None:
    need(MANIFEST.exists(), f"W3C protocol tests not found at {MANIFEST}")
    assert len(TESTS) == 34
