"""The curated example queries as RDF, in the SIB SPARQL-examples convention, so query editors can list them.

Each ``queries/examples/*.rq`` becomes ``https://w3id.org/cytokg/.well-known/sparql-examples/<name>``: a
``sh:SPARQLExecutable`` (and ``sh:SPARQLSelectExecutable``, ``…AskExecutable`` or ``…ConstructExecutable``) with
the query text under ``sh:select``, ``sh:ask`` or ``sh:construct`` (``spex:describe`` for DESCRIBE, which SHACL
lacks), its title as ``rdfs:label``, its description as ``rdfs:comment``, ``schema:target`` the endpoint, and
``sh:prefixes`` declaring CytoKG's prefixes.
"""

from __future__ import annotations

from pathlib import Path

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.plugins.sparql.parser import parseQuery

from cytokg.errors import InputError
from cytokg.namespaces import BASE, PREFIXES
from cytokg.queries import read_header
from cytokg.reading import read_text

__all__ = ["ENDPOINT", "EXAMPLES_NAMESPACE", "SCHEMA", "SPEX", "example_graph", "query_form"]

#: Where the examples' IRIs live (the SIB convention: the endpoint's ``/.well-known/sparql-examples/``).
EXAMPLES_NAMESPACE = Namespace(BASE + ".well-known/sparql-examples/")
#: The endpoint the examples run on (``schema:target``): CytoKG's IRIs dereference on the server, /sparql included.
ENDPOINT = URIRef(BASE + "sparql")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")

#: rdflib's name of a query form → (the executable's class, the property holding the query text).
_FORMS = {
    "SelectQuery": (SH.SPARQLSelectExecutable, SH.select),
    "AskQuery": (SH.SPARQLAskExecutable, SH.ask),
    "ConstructQuery": (SH.SPARQLConstructExecutable, SH.construct),
    "DescribeQuery": (SPEX.SPARQLDescribeExecutable, SPEX.describe),
}


def query_form(text: str, origin: Path) -> tuple[URIRef, URIRef]:
    """The executable class and text property of a query's form; a query rdflib cannot parse names its file.

    >>> query_form("ASK { ?s ?p ?o }", Path("x.rq"))[1]
    rdflib.term.URIRef('http://www.w3.org/ns/shacl#ask')
    """
    try:
        parsed = parseQuery(text)
    except ParseException as error:
        raise InputError(origin, error.lineno, f"SPARQL syntax error: {error.msg}", "correct the query") from None
    return _FORMS[parsed[1].name]


def _body(text: str) -> str:
    """The query without its ``# Title:``/``# Description:`` header (the RDF carries those)."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def example_graph(examples_dir: Path) -> Graph:
    """Every ``*.rq`` in ``examples_dir`` as a SIB SPARQL example."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("schema", SCHEMA)
    graph.bind("spex", SPEX)
    graph.bind("ex", EXAMPLES_NAMESPACE)
    prefixes = BNode("sparql_examples_prefixes")
    for prefix, namespace in sorted(PREFIXES.items()):
        declaration = BNode(f"prefix_{prefix}")
        graph.add((prefixes, SH.declare, declaration))
        graph.add((declaration, SH.prefix, Literal(prefix)))
        graph.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    for path in sorted(examples_dir.glob("*.rq")):
        text = read_text(path)
        header = read_header(path)
        kind, holds = query_form(text, path)
        example = EXAMPLES_NAMESPACE[path.stem]
        graph.add((example, RDF.type, SH.SPARQLExecutable))
        graph.add((example, RDF.type, kind))
        graph.add((example, RDFS.label, Literal(header.get("title", path.stem), lang="en")))
        graph.add(
            (example, RDFS.comment, Literal(header.get("description") or header.get("title", path.stem), lang="en"))
        )
        graph.add((example, holds, Literal(_body(text))))
        graph.add((example, SH.prefixes, prefixes))
        graph.add((example, SCHEMA.target, ENDPOINT))
    return graph
