"""Media types the SPARQL endpoint speaks, and Accept-header negotiation (q-values, wildcards)."""

from __future__ import annotations

import pyoxigraph

__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "negotiate", "parse_accept"]

#: SELECT/ASK result media type → Oxigraph result format.
RESULT_TYPES: dict[str, pyoxigraph.QueryResultsFormat] = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
}
#: CONSTRUCT/DESCRIBE media type → Oxigraph RDF format.
GRAPH_TYPES: dict[str, pyoxigraph.RdfFormat] = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
}
#: Short names accepted by the ``format=`` parameter.
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


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


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """Pick the first offered type the Accept header prefers, or None (→ 406)."""
    for media, q in parse_accept(header):
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
