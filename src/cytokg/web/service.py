"""The SPARQL 1.1 Service Description with a VoID description of the dataset: it claims only what is true."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD, Namespace

from cytokg.namespaces import BASE, CYTO, DATASET, VOID
from cytokg.release import EXAMPLES_FILE, FULL_FILES
from cytokg.sparql.formats import FORMATS as SPARQL_FORMATS
from cytokg.statistics import Partitions
from cytokg.store import EXAMPLES_GRAPH, INFERRED_GRAPH

__all__ = ["service_description"]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")


def _partitions(graph: Graph, partitions: Partitions) -> None:
    """Add the dataset's ``void:classPartition`` and ``void:propertyPartition`` (each with its counts)."""
    by_class: dict[str, list[tuple[str, int]]] = {}
    for (cls, prop), n in sorted(partitions.class_properties.items()):
        by_class.setdefault(cls, []).append((prop, n))
    for number, (cls, entities) in enumerate(sorted(partitions.classes.items())):
        node = BNode(f"class{number}")
        graph.add((DATASET, VOID.classPartition, node))
        graph.add((node, VOID["class"], URIRef(cls)))
        graph.add((node, VOID.entities, Literal(entities, datatype=XSD.integer)))
        for inner, (prop, n) in enumerate(by_class.get(cls, [])):
            part = BNode(f"class{number}p{inner}")
            graph.add((node, VOID.propertyPartition, part))
            graph.add((part, VOID.property, URIRef(prop)))
            graph.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    for number, (prop, n) in enumerate(sorted(partitions.properties.items())):
        node = BNode(f"property{number}")
        graph.add((DATASET, VOID.propertyPartition, node))
        graph.add((node, VOID.property, URIRef(prop)))
        graph.add((node, VOID.triples, Literal(n, datatype=XSD.integer)))


def _examples_graph(graph: Graph, description: BNode, root: str, triples: int) -> None:
    """Name the graph of the example queries (SIB SPARQL examples) and its download."""
    named = BNode("examples")
    graph.add((description, SD.namedGraph, named))
    graph.add((named, SD.name, URIRef(EXAMPLES_GRAPH)))
    graph.add(
        (
            named,
            DCTERMS.description,
            Literal(
                "The example queries as SHACL SPARQL executables (SIB SPARQL examples); not in the default graph",
                lang="en",
            ),
        )
    )
    examples = BNode("examples-graph")
    graph.add((named, SD.graph, examples))
    graph.add((examples, RDF.type, SD.Graph))
    graph.add((examples, VOID.triples, Literal(triples, datatype=XSD.integer)))
    graph.add((examples, VOID.dataDump, URIRef(f"{root}downloads/{EXAMPLES_FILE}")))


def service_description(
    counts: dict[str, int], endpoint: str, root: str, linksets: Graph, partitions: Partitions, examples: int
) -> Graph:
    """Describe the endpoint (query language, result formats, no update), the dataset it serves with its
    VoID ``counts`` (from ``COUNT_QUERIES``) and ``partitions``, the dataset's VoID ``linksets`` (written by
    the build), and the examples graph if the store has its ``examples`` triples."""
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
        graph.add((default_graph, URIRef(predicate), Literal(count, datatype=XSD.integer)))
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
    if examples:
        _examples_graph(graph, description, root, examples)
    _partitions(graph, partitions)
    graph += linksets
    return graph
