"""The files a release consists of: what the build writes and /downloads offers (no heavy imports here)."""

from __future__ import annotations

__all__ = [
    "ASSERTED_TRIPLES",
    "BASE_FILE",
    "CHANGES_JSON",
    "CHANGES_REPORT",
    "DOWNLOAD_FILES",
    "EXAMPLES_FILE",
    "FULL_FILES",
    "INFERRED_TYPES",
    "MAPPING_FILE",
    "OBO_FILE",
    "OWL_FILES",
    "RELEASE_FILES",
    "SEARCH_FILE",
    "STATISTICS_FILE",
    "TBOX_FILE",
    "VOID_FILE",
]

#: The full release (TBox, instance data, mappings, inferred memberships) in each RDF syntax.
FULL_FILES = ("cytokg.owl", "cytokg.ttl", "cytokg.nt", "cytokg.jsonld")
#: CytoKG's own axioms only (ODK's base module) and the TBox alone.
BASE_FILE = "cytokg-base.owl"
TBOX_FILE = "cytokg-ontology.owl"
#: The TBox in OBO 1.4 (written where the OWL API is installed).
OBO_FILE = "cytokg.obo"
#: The RDF release files, in the order they are written; each has its own ontology IRI.
RELEASE_FILES = (*FULL_FILES, BASE_FILE, TBOX_FILE)
#: The files Protégé and the OWL API open; every one must load as OWL 2 DL.
OWL_FILES = ("cytokg.owl", BASE_FILE, TBOX_FILE)
#: The SSSOM table of every mapping triple, and the VoID linksets the service description includes.
MAPPING_FILE = "cytokg.sssom.tsv"
VOID_FILE = "cytokg-void.ttl"
#: The curated example queries as SIB SPARQL examples (also the store's examples graph).
EXAMPLES_FILE = "cytokg-examples.ttl"
#: Everything /downloads offers (each also gzipped).
DOWNLOAD_FILES = (*RELEASE_FILES, OBO_FILE, MAPPING_FILE, VOID_FILE, EXAMPLES_FILE)
#: The asserted graph alone (N-Triples): the store's default graph and an external store's asserted graph.
ASSERTED_TRIPLES = "cytokg-asserted.nt"
#: HermiT's inferred class memberships, written by the reasoning gate (N-Triples).
INFERRED_TYPES = "cytokg-inferred-types.nt"
#: The search index the build writes beside the store.
SEARCH_FILE = "search.sqlite"
#: Counts, VoID partitions, vocabulary tables and download digests, computed once by the build (statistics.py).
STATISTICS_FILE = "statistics.json"
#: What changed since the previous release (``cytokg diff``), in ``reports/``.
CHANGES_REPORT = "changes.md"
CHANGES_JSON = "changes.json"
