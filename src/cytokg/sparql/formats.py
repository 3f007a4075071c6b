"""The one table of formats CytoKG speaks: media type, ``format=`` names, file suffixes and serializers.

Every route, the build and the CLI read it, so a format is added in one place. Accept-header negotiation
(q-values, wildcards) lives here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph

__all__ = [
    "FORMATS",
    "GRAPH_NAMES",
    "GRAPH_TYPES",
    "PAGE_SUFFIXES",
    "RDFLIB_SERIALIZERS",
    "RESULT_NAMES",
    "RESULT_TYPES",
    "SUFFIX_TYPES",
    "Format",
    "negotiate",
    "parse_accept",
    "short_names",
]


@dataclass(frozen=True)
class Format:
    """One format: what a SPARQL answer or a file in it is called, and what writes it."""

    media: str
    #: What clients call it in ``format=`` (Fuseki's and SPARQLWrapper's names included) or send in Accept
    #: instead of ``media``: ``xml`` and ``json`` mean a result format for SELECT/ASK and an RDF one for
    #: CONSTRUCT/DESCRIBE, as in Fuseki and Virtuoso.
    names: tuple[str, ...]
    #: File suffixes, the first one used for entity pages (``/protein/HGNC_6018.ttl``).
    suffixes: tuple[str, ...]
    #: ``results`` for SELECT/ASK answers, ``graph`` for RDF (CONSTRUCT/DESCRIBE and release files).
    kind: Literal["results", "graph"]
    #: Its name in the W3C format registry (``http://www.w3.org/ns/formats/``), for the service description.
    w3c: str
    oxigraph: pyoxigraph.QueryResultsFormat | pyoxigraph.RdfFormat
    #: rdflib's serializer name (graphs only).
    rdflib: str | None = None


FORMATS = (
    Format(
        "application/sparql-results+json",
        ("json", "srj", "application/json"),
        (".srj",),
        "results",
        "SPARQL_Results_JSON",
        pyoxigraph.QueryResultsFormat.JSON,
    ),
    Format(
        "application/sparql-results+xml",
        ("xml", "srx", "application/xml", "text/xml"),
        (".srx",),
        "results",
        "SPARQL_Results_XML",
        pyoxigraph.QueryResultsFormat.XML,
    ),
    Format("text/csv", ("csv",), (".csv",), "results", "SPARQL_Results_CSV", pyoxigraph.QueryResultsFormat.CSV),
    Format(
        "text/tab-separated-values",
        ("tsv",),
        (".tsv",),
        "results",
        "SPARQL_Results_TSV",
        pyoxigraph.QueryResultsFormat.TSV,
    ),
    Format(
        "text/turtle",
        ("turtle", "ttl", "n3", "text/n3", "text/rdf+n3", "application/x-turtle"),
        (".ttl",),
        "graph",
        "Turtle",
        pyoxigraph.RdfFormat.TURTLE,
        "turtle",
    ),
    Format(
        "application/n-triples",
        ("nt", "ntriples", "n-triples"),
        (".nt",),
        "graph",
        "N-Triples",
        pyoxigraph.RdfFormat.N_TRIPLES,
        "nt",
    ),
    Format(
        "application/rdf+xml",
        ("rdfxml", "rdf", "rdf+xml", "owl", "xml", "application/xml", "text/xml"),
        (".rdf", ".owl"),
        "graph",
        "RDF_XML",
        pyoxigraph.RdfFormat.RDF_XML,
        "xml",
    ),
    Format(
        "application/ld+json",
        ("jsonld", "json-ld", "json", "application/json"),
        (".jsonld",),
        "graph",
        "JSON-LD",
        pyoxigraph.RdfFormat.JSON_LD,
        "json-ld",
    ),
)
#: SELECT/ASK result media type → Oxigraph result format.
RESULT_TYPES: dict[str, pyoxigraph.QueryResultsFormat] = {
    f.media: f.oxigraph for f in FORMATS if isinstance(f.oxigraph, pyoxigraph.QueryResultsFormat)
}
#: CONSTRUCT/DESCRIBE media type → Oxigraph RDF format.
GRAPH_TYPES: dict[str, pyoxigraph.RdfFormat] = {
    f.media: f.oxigraph for f in FORMATS if isinstance(f.oxigraph, pyoxigraph.RdfFormat)
}
#: Other names of result formats (``format=`` values and media types) → the media type CytoKG answers in.
RESULT_NAMES = {name: f.media for f in FORMATS if f.kind == "results" for name in (f.media, *f.names)}
#: Other names of graph formats → the media type CytoKG answers in.
GRAPH_NAMES = {name: f.media for f in FORMATS if f.kind == "graph" for name in (f.media, *f.names)}
#: File suffix → media type (downloads, entity pages).
SUFFIX_TYPES = {suffix: f.media for f in FORMATS for suffix in f.suffixes}
#: The suffix an entity page offers for each graph format.
PAGE_SUFFIXES = {f.suffixes[0]: f.media for f in FORMATS if f.kind == "graph"}
#: Graph media type → rdflib serializer name.
RDFLIB_SERIALIZERS = {f.media: f.rdflib for f in FORMATS if f.rdflib}


def short_names(kind: Literal["results", "graph"]) -> list[str]:
    """The ``format=`` names (not media types) of one kind of format, for messages and docs.

    >>> short_names("results")
    ['json', 'srj', 'xml', 'srx', 'csv', 'tsv']
    """
    return [name for f in FORMATS if f.kind == kind for name in f.names if "/" not in name]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Parse an Accept header into (media type, q) pairs, best first; parameters other than q are ignored.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    if not header:
        return [("*/*", 1.0)]
    entries = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        entries.append((media, q, position))
    entries.sort(key=lambda e: (-e[1], e[2]))
    return [(media, q) for media, q, _ in entries]


def negotiate(header: str | None, offered: list[str], names: dict[str, str] | None = None) -> str | None:
    """Pick the first offered type the Accept header prefers, or None (→ 406); ``names`` translates other
    names of a type first (``application/json`` → SPARQL JSON results).

    >>> negotiate("application/json", list(RESULT_TYPES), RESULT_NAMES)
    'application/sparql-results+json'
    >>> negotiate("application/json", list(GRAPH_TYPES), GRAPH_NAMES)
    'application/ld+json'
    """
    for accepted, q in parse_accept(header):
        media = (names or {}).get(accepted, accepted)
        if q <= 0:
            continue
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate in offered:
                if candidate.startswith(major):
                    return candidate
        if media in offered:
            return media
    return None
