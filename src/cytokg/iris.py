"""CytoKG's IRI prefixes as plain strings, for code that must not import rdflib (the query processes)."""

from __future__ import annotations

__all__ = ["BASE", "OBO_PREFIX"]

#: Root of every CytoKG IRI.
BASE = "https://w3id.org/cytokg/"
#: Root of every OBO Foundry term IRI.
OBO_PREFIX = "http://purl.obolibrary.org/obo/"
