"""The SPARQL 1.1 Service Description with a VoID description of the dataset: it claims only what is true."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD, Namespace

from cytokg.namespaces import BASE, CYTO, DATASET, VOID
from cytokg.release import FULL_FILES
from cytokg.sparql.formats import FORMATS as SPARQL_FORMATS
from cytokg.store import INFERRED_GRAPH

__all__ = ["COUNT_QUERIES", "service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")


#: The dataset's VoID statistics, counted over the default graph as /sparql serves it (asserted plus inferred).
COUNT_QUERIES = {
    VOID.triples: "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
    VOID.entities: f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{BASE}")) }}',
}


def service_description(counts: dict[URIRef, int], endpoint: str, root: str, linksets: Graph) -> Graph:
    """Describe the endpoint (query language, result formats, no update), the dataset it serves with its
    VoID ``counts`` (from ``COUNT_QUERIES``), and the dataset's VoID ``linksets`` (written by the build)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    default_graph = DATASET
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in SPARQL_FORMATS:
        graph.add((service, SD.resultFormat, W3C_FORMATS[fmt.w3c]))
    description = BNode("dataset")
    graph.add((service, SD.defaultDataset, description))
    graph.add((description, RDF.type, SD.Dataset))
    graph.add((description, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDF.type, VOID.Dataset))
    graph.add((default_graph, DCTERMS.title, Literal("CytoKG", lang="en")))
    graph.add((default_graph, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    graph.add((default_graph, VOID.sparqlEndpoint, service))
    graph.add((default_graph, VOID.uriSpace, Literal(BASE)))
    graph.add((default_graph, VOID.vocabulary, URIRef(str(CYTO))))
    for predicate, count in counts.items():
        graph.add((default_graph, predicate, Literal(count, datatype=XSD.integer)))
    for name in FULL_FILES:
        graph.add((default_graph, VOID.dataDump, URIRef(f"{root}downloads/{name}")))
    named = BNode("inferred")
    graph.add((description, SD.namedGraph, named))
    graph.add((named, SD.name, URIRef(INFERRED_GRAPH)))
    graph.add(
        (
            named,
            DCTERMS.description,
            Literal("HermiT's inferred class memberships; part of the default graph", lang="en"),
        )
    )
    graph += linksets
    return graph
