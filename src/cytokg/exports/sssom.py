"""Write CytoKG's mappings as an SSSOM table (https://w3id.org/sssom): one row per mapping triple."""

from __future__ import annotations

import curies
import yaml
from rdflib import Graph

from cytokg.compile.links import Mapping, converter
from cytokg.namespaces import BASE, CYTO, OWL, RDF, RDFS, SKOS

__all__ = ["COLUMNS", "sssom_text"]

COLUMNS = (
    "subject_id",
    "subject_label",
    "subject_type",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "comment",
)
_OWN_PREFIXES = {"cyto": str(CYTO), "cytokg": BASE, "skos": str(SKOS), "semapv": "https://w3id.org/semapv/vocab/"}


def _cell(text: str) -> str:
    """A TSV cell: tabs and line breaks would break the row."""
    return " ".join(text.split())


def sssom_text(graph: Graph, mappings: list[Mapping], release_date: str) -> str:
    """The SSSOM/TSV text: a YAML metadata block (with the ``curie_map``) and one row per mapping.

    Confidence is 1.0 throughout: CytoKG publishes only mappings it is sure of (uncertain ones are left out),
    and their strength is carried by the predicate (``exactMatch`` or ``closeMatch``).
    """
    own = curies.Converter.from_prefix_map(_OWN_PREFIXES)
    external = converter()  # own prefixes first (as curies.chain would, without re-indexing the Bioregistry)
    prefix_map = {**external.prefix_map, **_OWN_PREFIXES}  # computed on each access: once here
    used: dict[str, str] = {}
    rows = []
    for mapping in mappings:
        ids = []
        for iri in (mapping.subject, mapping.predicate, mapping.object):
            curie = own.compress(str(iri)) or external.compress_strict(str(iri))
            prefix = curie.split(":", 1)[0]
            used[prefix] = prefix_map[prefix]
            ids.append(curie)
        kind = "owl class" if (mapping.subject, RDF.type, OWL.Class) in graph else "owl named individual"
        label = str(graph.value(mapping.subject, RDFS.label) or "")
        cells = [ids[0], label, kind, ids[1], ids[2], mapping.object_label, mapping.justification, "1.0"]
        rows.append("\t".join(_cell(cell) for cell in [*cells, mapping.comment]))
    used["semapv"] = _OWN_PREFIXES["semapv"]
    metadata = {
        "curie_map": dict(sorted(used.items())),
        "mapping_set_id": f"https://w3id.org/cytokg/releases/{release_date}/cytokg.sssom.tsv",
        "mapping_set_version": release_date,
        "mapping_set_title": "CytoKG mappings to UniProt, HGNC, NCBI Gene, Ensembl, DrugBank, ChEBI and GO",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_provider": BASE,
        "mapping_date": release_date,
    }
    header = "".join(f"#{line}\n" for line in yaml.safe_dump(metadata, sort_keys=False).splitlines())
    return header + "\t".join(COLUMNS) + "\n" + "".join(f"{row}\n" for row in rows)
