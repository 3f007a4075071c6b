"""Link CytoKG to the datasets it shares identifiers with: normalised CURIEs and canonical mapping IRIs.

Prefixes, CURIE forms and IRIs all come from the Bioregistry (its registry ships with the package, so
no network is used); CytoKG keeps no prefix table of its own. Each identifier becomes an
``oboInOwl:hasDbXref`` CURIE and a SKOS mapping to the IRI the Bioregistry prefers for that dataset
(UniProt's own ``purl.uniprot.org`` IRIs, OBO PURLs, genenames.org, NCBI, Ensembl and DrugBank pages).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import bioregistry
import curies
from rdflib import Graph, Literal, URIRef

from cytokg.errors import GateFailure
from cytokg.namespaces import CYTO, OBOINOWL, RDFS, SKOS

__all__ = [
    "IDENTIFIERS",
    "MAPPING_PREDICATES",
    "Mapping",
    "add_links",
    "converter",
    "graph_mappings",
]

#: SKOS mapping properties: a triple with one of them is a mapping (and a row of the SSSOM file).
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
MANUAL = "semapv:ManualMappingCuration"
CHAINED = "semapv:MappingChaining"


@dataclass(frozen=True)
class _Identifier:
    """What one of CytoKG's identifier properties holds and how its record relates to the entity."""

    registry: str  # Bioregistry prefix
    justification: str  # semapv: how CytoKG came to the mapping
    gene_record: bool = False  # the record describes the gene; the CytoKG entity is its product


#: CytoKG's identifier properties. The gene product is keyed by its HGNC ID (chosen by our curators); its
#: UniProt, NCBI Gene and Ensembl identifiers are HGNC's own cross-references (chained through HGNC).
#: DrugBank and ChEBI identifiers are curated per drug and checked against the reference vocabularies.
IDENTIFIERS = {
    CYTO.hgncId: _Identifier("hgnc", MANUAL, gene_record=True),
    CYTO.ncbiGeneId: _Identifier("ncbigene", CHAINED, gene_record=True),
    CYTO.ensemblGeneId: _Identifier("ensembl", CHAINED, gene_record=True),
    CYTO.uniprotAccession: _Identifier("uniprot", CHAINED),
    CYTO.drugbankId: _Identifier("drugbank", MANUAL),
    CYTO.chebiId: _Identifier("chebi", MANUAL),
}


@dataclass(frozen=True)
class Mapping:
    """One mapping triple with what SSSOM needs to describe it."""

    subject: URIRef
    predicate: URIRef
    object: URIRef
    justification: str
    object_label: str = ""
    comment: str = ""


@functools.cache
def converter() -> curies.Converter:
    """The Bioregistry's converter: preferred prefixes (``CL``, ``NCBIGene``, ``uniprot``) and default IRIs."""
    return bioregistry.manager.get_converter(prefix_priority=["preferred", "default"])


def _reference(subject: URIRef, prop: URIRef, value: str, registry: str) -> curies.ReferenceTuple:
    parsed = bioregistry.normalize_parsed_curie(registry, value)
    if parsed[0] is None or parsed[1] is None or not bioregistry.is_valid_identifier(parsed[0], parsed[1]):
        raise GateFailure(
            f"{subject}: {prop} '{value}' is not a valid {registry} identifier by the Bioregistry's pattern "
            f"(fix: correct the identifier in the curated table)"
        )
    return curies.ReferenceTuple(parsed[0], parsed[1])


def _object_label(graph: Graph, subject: URIRef, registry: str, target: URIRef) -> str:
    """The record's label where CytoKG knows it from the reference data: HGNC symbol, DrugBank name, OBO label."""
    if registry == "hgnc":
        return str(graph.value(subject, CYTO.hgncSymbol) or "")
    if registry == "drugbank":
        return str(graph.value(subject, RDFS.label) or "")
    return str(graph.value(target, RDFS.label) or "")


def add_links(graph: Graph) -> list[Mapping]:
    """Add a normalised ``hasDbXref`` CURIE and a SKOS mapping for every identifier; return the mappings.

    A gene product is ``closeMatch`` to gene records (HGNC, NCBI Gene, Ensembl) and ``exactMatch`` to its
    UniProtKB entry, unless that entry is shared by several gene products (identical proteins from
    duplicated genes such as CCL3L1/CCL3L3), where it is ``closeMatch``.
    """
    convert = converter()
    prefix_map = convert.prefix_map  # computed on each access (expand_strict's too): once here
    sharers = Counter(str(value) for value in graph.objects(None, CYTO.uniprotAccession))
    mappings = []
    for prop, identifier in IDENTIFIERS.items():
        for subject, value in sorted(graph.subject_objects(prop)):
            node = URIRef(str(subject))
            reference = _reference(node, prop, str(value), identifier.registry)
            curie = convert.standardize_curie(reference.curie) or reference.curie
            parsed = convert.parse_curie(curie, strict=True)
            target = URIRef(prefix_map[parsed.prefix] + parsed.identifier)  # expand_strict(curie), without its cost
            graph.add((node, OBOINOWL.hasDbXref, Literal(curie)))
            if identifier.gene_record:
                predicate, comment = SKOS.closeMatch, "a gene record; the CytoKG entity is the gene's product"
            elif prop == CYTO.uniprotAccession and sharers[str(value)] > 1:
                predicate, comment = SKOS.closeMatch, "one UniProtKB entry for the identical products of several genes"
            else:
                predicate, comment = SKOS.exactMatch, ""
            graph.add((node, predicate, target))
            label = _object_label(graph, node, identifier.registry, target)
            mappings.append(Mapping(node, predicate, target, identifier.justification, label, comment))
    return mappings


def graph_mappings(graph: Graph, derived: list[Mapping]) -> list[Mapping]:
    """Every mapping triple of ``graph``: the identifier mappings plus those curated in the ontology."""
    known = {(m.subject, m.predicate, m.object) for m in derived}
    curated = [
        Mapping(URIRef(str(s)), URIRef(str(p)), URIRef(str(o)), MANUAL, str(graph.value(o, RDFS.label) or ""))
        for p in MAPPING_PREDICATES
        for s, o in graph.subject_objects(p)
        if (s, p, o) not in known
    ]
    unique = {(m.subject, m.predicate, m.object): m for m in [*derived, *curated]}
    return [unique[key] for key in sorted(unique)]
