"""The vocabulary in the app: the /vocabulary page, the example queries as SIB SPARQL examples, VoID partitions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from cytokg.compile.pipeline import parse_turtle
from cytokg.exports.examples import ENDPOINT, EXAMPLES_NAMESPACE, SCHEMA, example_graph
from cytokg.namespaces import CYTO, DATASET, VOID
from cytokg.sparql.formats import FORMATS
from cytokg.store import EXAMPLES_GRAPH
from cytokg.web.app import create_app
from cytokg.web.vocabulary import curie, example_properties

from .conftest import BACKENDS, ROOT, backend_config, result_rows

EXAMPLES = sorted((ROOT / "queries" / "examples").glob("*.rq"))
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
JSON = {"Accept": "application/sparql-results+json"}
#: The SPARQL query SIB's sparql-editor sends to list an endpoint's examples (README of sib-swiss/sparql-editor).
SIB_EXAMPLES = """PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?sq ?comment ?query WHERE {
  ?sq a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:ask|sh:construct|sh:describe ?query .
} ORDER BY ?sq"""
#: The query it sends for the VoID description it autocompletes from.
SIB_VOID = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX void-ext: <http://ldf.fi/void-ext#>
SELECT DISTINCT ?subjectClass ?prop ?objectClass ?objectDatatype WHERE {
  { ?cp void:class ?subjectClass ; void:propertyPartition ?pp . ?pp void:property ?prop .
    OPTIONAL { { ?pp void:classPartition [ void:class ?objectClass ] } UNION
               { ?pp void-ext:datatypePartition [ void-ext:datatype ?objectDatatype ] } } }
  UNION { ?linkset void:subjectsTarget ?subjectClass ; void:linkPredicate ?prop ; void:objectsTarget ?objectClass . }
}"""


def test_every_example_query_is_a_sib_example() -> None:
    graph = example_graph(ROOT / "queries" / "examples")
    assert len(set(graph.subjects(RDF.type, SH.SPARQLExecutable))) == len(EXAMPLES)
    for path in EXAMPLES:
        example = EXAMPLES_NAMESPACE[path.stem]
        assert str(example) == f"https://w3id.org/cytokg/.well-known/sparql-examples/{path.stem}"
        text = graph.value(example, SH.select) or graph.value(example, SH.ask) or graph.value(example, SH.construct)
        assert isinstance(text, Literal), f"{path.name}: no query text"
        assert not str(text).startswith("#"), "the header is in rdfs:label and rdfs:comment, not in the query"
        prepareQuery(str(text))  # the text is a whole query
        form = {SH.select: SH.SPARQLSelectExecutable, SH.ask: SH.SPARQLAskExecutable}.get(
            next(p for p in (SH.select, SH.ask, SH.construct) if graph.value(example, p) is not None),
            SH.SPARQLConstructExecutable,
        )
        assert (example, RDF.type, form) in graph
        comment = graph.value(example, RDFS.comment)
        assert isinstance(comment, Literal) and comment.language == "en" and len(comment) > 20
        assert (example, SCHEMA.target, ENDPOINT) in graph
    prefixes = {str(p) for p in graph.objects(None, SH.prefix)}
    assert {"cyto", "rdfs", "obo", "owl"} <= prefixes


@pytest.fixture(scope="module", params=BACKENDS)
def client(built: Path, request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    config = {"CLIENT_BUDGET": 100_000.0, "CLIENT_PARALLEL": 1000} | backend_config(request)
    app = create_app(built, ROOT / "queries", config)
    yield app.test_client()
    app.extensions["cytokg"].close()


def _select(client: FlaskClient, query: str, **dataset: str) -> list[dict[str, dict[str, str]]]:
    response = client.get("/sparql", query_string={"query": query, **dataset}, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(response.get_json()["results"]["bindings"])


def test_examples_graph_answers_the_sib_editor(client: FlaskClient) -> None:
    """The examples are in their named graph, listed by the SIB editor's own query, and not in the data."""
    rows = _select(client, SIB_EXAMPLES, **{"default-graph-uri": EXAMPLES_GRAPH})
    assert len(rows) == len(EXAMPLES)
    assert rows[0]["sq"]["value"] == str(EXAMPLES_NAMESPACE[EXAMPLES[0].stem])
    assert "SELECT" in rows[0]["query"]["value"]
    assert _select(client, SIB_EXAMPLES) == [], "the default graph is the data only"
    named = _select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{ ?s a ?t }} }}")
    assert int(named[0]["n"]["value"]) >= 2 * len(EXAMPLES)


def _number(graph: Graph, subject: Node, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), f"no {predicate} on {subject}"
    return int(value)


def test_service_description_has_partitions_and_examples(client: FlaskClient) -> None:
    graph = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(), format="turtle")
    names = {str(graph.value(node, SD.name)) for node in graph.objects(None, SD.namedGraph)}
    assert EXAMPLES_GRAPH in names
    classes = {graph.value(p, VOID["class"]): p for p in graph.objects(DATASET, VOID.classPartition)}
    cytokines = _select(client, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{CYTO.Cytokine}> }}")
    assert _number(graph, classes[CYTO.Cytokine], VOID.entities) == int(cytokines[0]["n"]["value"])
    properties = {graph.value(p, VOID.property): p for p in graph.objects(DATASET, VOID.propertyPartition)}
    receptors = _select(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x <{CYTO.hasReceptor}> ?y }}")
    assert _number(graph, properties[CYTO.hasReceptor], VOID.triples) == int(receptors[0]["n"]["value"])
    triples = sum(_number(graph, p, VOID.triples) for p in properties.values())
    assert triples == _number(graph, DATASET, VOID.triples), "the property partitions add up to the dataset"
    autocomplete = {(str(row[0]), str(row[1])) for row in result_rows(graph.query(SIB_VOID))}
    assert (str(CYTO.Cytokine), str(CYTO.hasReceptor)) in autocomplete


@pytest.fixture(scope="module")
def page(client: FlaskClient) -> str:
    response = client.get("/vocabulary")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_vocabulary_page_lists_terms_with_definitions_and_examples(page: str, client: FlaskClient) -> None:
    for term, words in (
        ("cyto:hasReceptor", "receptor complex that binds it"),
        ("cyto:Cytokine", "small secreted or membrane-bound signaling molecule"),
        ("cyto:isFormOf", None),
    ):
        row = re.search(rf'<tr id="{term}">(.*?)</tr>', page, re.DOTALL)
        assert row, f"{term} is not on the page"
        assert words is None or words in row.group(1)
        links = re.findall(r'href="(/[^"#]+)"', row.group(1).split("</td>", 2)[2])
        assert links, f"{term} has no example"
        assert client.get(links[0]).status_code == 200, f"{term}'s example {links[0]} has no page"
    assert "PREFIX cyto: &lt;https://w3id.org/cytokg/vocab/&gt;" in page


def test_diagram_shows_every_relation_of_the_example_queries(page: str) -> None:
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL)
    assert svg
    drawn = set(re.findall(r">((?:cyto|obo):\w+)</text>", svg.group(0)))
    tbox = parse_turtle(ROOT / "ontology" / "cytokg-edit.ttl")
    relations = {
        curie(iri)
        for iri in example_properties(ROOT / "queries" / "examples")
        if (URIRef(iri), RDF.type, OWL.ObjectProperty) in tbox
    }
    named = {"cyto:hasReceptor", "cyto:hasSubunit", "cyto:producedBy", "cyto:hasTarget", "cyto:associatedDisease"}
    assert named <= {curie(iri) for iri in example_properties(ROOT / "queries" / "examples")}
    assert relations | named <= drawn, f"missing from the diagram: {sorted((relations | named) - drawn)}"


def test_formats_table_lists_every_name_and_the_page_is_linked_everywhere(page: str, client: FlaskClient) -> None:
    table = page.split('id="formats"', 1)[1]
    for fmt in FORMATS:
        assert f"<code>{fmt.media}</code>" in table
        for name in fmt.names:
            assert f"<code>{name}</code>" in table
    for path in ("/", "/query", "/browse", "/protein/HGNC_6018"):
        assert 'href="/vocabulary"' in client.get(path).get_data(as_text=True), path
    assert "<svg" in page
