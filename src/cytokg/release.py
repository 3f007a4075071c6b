"""The files a release consists of: what the build writes and /downloads offers (no heavy imports here)."""

from __future__ import annotations

__all__ = [
    "DOWNLOAD_FILES",
    "EXAMPLES_FILE",
    "INFERRED_TYPES",
    "MAPPING_FILE",
    "RELEASE_FILES",
    "SEARCH_FILE",
    "VOID_FILE",
]

#: The RDF release files, in the order they are written.
RELEASE_FILES = ("cytokg.ttl", "cytokg.owl", "cytokg-ontology.owl", "cytokg.nt", "cytokg.jsonld")
#: The SSSOM table of every mapping triple, and the VoID linksets the service description includes.
MAPPING_FILE = "cytokg.sssom.tsv"
VOID_FILE = "cytokg-void.ttl"
#: The curated example queries as SIB SPARQL examples (also the store's examples graph).
EXAMPLES_FILE = "cytokg-examples.ttl"
#: Everything /downloads offers (each also gzipped).
DOWNLOAD_FILES = (*RELEASE_FILES, MAPPING_FILE, VOID_FILE, EXAMPLES_FILE)
#: HermiT's inferred class memberships, written by the reasoning gate (N-Triples).
INFERRED_TYPES = "cytokg-inferred-types.nt"
#: The search index the build writes beside the store.
SEARCH_FILE = "search.sqlite"
