"""Export the built graph as Biolink-model KGX TSV files (nodes and edges), every edge with its provenance.

The maps from CytoKG's classes and properties to Biolink categories and predicates are the constants
below; docs/kgx.md explains each choice. The export reads the asserted graph from the Oxigraph store.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cytokg.errors import InputError
from cytokg.namespaces import BASE, CYTO, OBO
from cytokg.queries import run_query_text
from cytokg.store import Queryable
from cytokg.writing import write_atomic

__all__ = [
    "ASSOCIATION_KINDS",
    "CATEGORIES",
    "CYTOKG_INFORES",
    "CYTOKG_PREFIXES",
    "EXTERNAL_CATEGORIES",
    "PREDICATES",
    "KgxSummary",
    "Predicate",
    "curie",
    "export_kgx",
]

#: CytoKG's own information-resource id: CytoKG curators are the primary source of every exported edge.
CYTOKG_INFORES = "infores:cytokg"
_APPROVED = "approved"
#: Knowledge level and agent type of a fact CytoKG curators asserted.
_CURATED = ("knowledge_assertion", "manual_agent")
#: ... and of a therapeutic-target association derived by rule from an approved drug's target and indication
#: (drugs.py): it follows from curated premises, and code, not a curator, states it.
_DERIVED = ("logical_entailment", "automated_agent")
#: CURIE prefixes of CytoKG's nodes, one per kind of entity: ``cytokg.protein:HGNC_6018`` is
#: https://w3id.org/cytokg/protein/HGNC_6018 (KGX allows no '/' after a CURIE's colon).
CYTOKG_PREFIXES: dict[str, str] = {
    f"cytokg.{kind}": f"{BASE}{kind}/" for kind in ("protein", "form", "cytokine", "complex", "drug")
}


@dataclass(frozen=True)
class Predicate:
    """A Biolink predicate with the qualifiers that carry the rest of a CytoKG property's meaning."""

    predicate: str
    aspect: str = ""
    direction: str = ""
    #: The property named as ``original_predicate`` when not the mapped one: a subproperty's parent, or the RO
    #: relation a CytoKG annotation property stands for (in KGX an edge to a class is the usual form).
    original: str = ""
    #: ``clinical_approval_status`` the property implies (``treats`` is asserted for approved indications only).
    approval: str = ""
    #: ``subject_form_or_variant_qualifier``: which form of the gene product the statement is about.
    form: str = ""


#: CytoKG or RO property (of an axiom-annotated fact) → Biolink predicate and qualifiers.
PREDICATES: dict[str, Predicate] = {
    str(CYTO.hasReceptor): Predicate("biolink:directly_physically_interacts_with"),
    str(CYTO.hasSubunit): Predicate("biolink:has_part"),
    str(CYTO.hasLigandBindingSubunit): Predicate("biolink:has_part", original=str(CYTO.hasSubunit)),
    str(CYTO.hasSignalTransducingSubunit): Predicate("biolink:has_part", original=str(CYTO.hasSubunit)),
    str(CYTO.isFormOf): Predicate("biolink:related_to"),
    str(CYTO.usesKinase): Predicate("biolink:physically_interacts_with"),
    str(CYTO.recruits): Predicate("biolink:physically_interacts_with"),
    str(CYTO.activatesSTAT): Predicate("biolink:regulates", "activity", "upregulated"),
    str(CYTO.signalsVia): Predicate("biolink:actively_involved_in"),
    str(CYTO.producedBy): Predicate("biolink:produced_by"),
    str(CYTO.actsOn): Predicate("biolink:affects"),
    str(CYTO.inducesExpressionOf): Predicate("biolink:regulates", "expression", "upregulated"),
    str(CYTO.repressesExpressionOf): Predicate("biolink:regulates", "expression", "downregulated"),
    str(CYTO.positivelyRegulates): Predicate("biolink:regulates", "", "upregulated", original=str(OBO.RO_0002429)),
    str(CYTO.negativelyRegulates): Predicate("biolink:regulates", "", "downregulated", original=str(OBO.RO_0002430)),
    str(CYTO.involvedIn): Predicate("biolink:actively_involved_in", original=str(OBO.RO_0002331)),
    str(CYTO.hasTarget): Predicate("biolink:interacts_with"),
    str(CYTO.treats): Predicate("biolink:treats", original=str(OBO.RO_0002606), approval="approved_for_condition"),
    str(CYTO.prevents): Predicate("biolink:preventative_for_condition", approval="approved_for_condition"),
}
#: ``qualified_predicate`` of an edge with an aspect qualifier, as in Biolink's GeneRegulatesGeneAssociation:
#: "A regulates B; qualified: A causes upregulated expression of B".
_CAUSES = "biolink:causes"

#: Association kind of a ``cyto:DiseaseAssociation`` → Biolink predicate from the entity to the disease.
ASSOCIATION_KINDS: dict[str, Predicate] = {
    str(CYTO.Biomarker): Predicate("biolink:biomarker_for"),
    str(CYTO.PathogenicDriver): Predicate("biolink:contributes_to"),
    str(CYTO.LossOfFunctionCause): Predicate("biolink:causes", form="loss_of_function_variant_form"),
    str(CYTO.SusceptibilityLocus): Predicate("biolink:associated_with_likelihood_of", form="polymorphic_form"),
    str(CYTO.TherapeuticTarget): Predicate("biolink:target_for"),
    str(CYTO.ApprovedDrugTarget): Predicate("biolink:target_for"),
}

#: CytoKG class (or a superclass of the node's asserted type) → Biolink category.
CATEGORIES: dict[str, str] = {
    str(CYTO.GeneProduct): "biolink:Protein",
    str(CYTO.ProteinForm): "biolink:Protein",
    str(CYTO.HeteromericCytokine): "biolink:MacromolecularComplex",
    str(CYTO.ReceptorComplex): "biolink:MacromolecularComplex",
    str(CYTO.Drug): "biolink:Drug",
}
#: OBO prefix of an external term → Biolink category.
EXTERNAL_CATEGORIES: dict[str, str] = {
    "CL": "biolink:Cell",
    "GO": "biolink:BiologicalProcess",
    "MONDO": "biolink:Disease",
}

_PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _iris(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


# Axiom-annotated facts of the mapped properties, with source, evidence and (for drugs) approval status.
_FACTS = (
    _PREFIXES
    + "SELECT ?subject ?property ?object ?source ?evidence ?identifier ?approval WHERE {\n"
    + f"  VALUES ?property {{ {_iris(PREDICATES)} }}\n"
    + """  ?axiom a owl:Axiom ; owl:annotatedSource ?subject ; owl:annotatedProperty ?property ;
         owl:annotatedTarget ?object ; dcterms:source ?source ; cyto:evidence ?evidence .
  ?subject ?property ?object .
  FILTER(isIRI(?subject) && isIRI(?object))
  OPTIONAL { ?source dcterms:identifier ?identifier }
  OPTIONAL { ?subject cyto:approvalStatus ?approval }
}"""
)
# n-ary disease associations; ?drug is bound for those derived from an approved drug's indication.
_ASSOCIATIONS = (
    _PREFIXES
    + """SELECT ?subject ?kind ?object ?source ?evidence ?identifier ?drug WHERE {
  ?association a cyto:DiseaseAssociation ; cyto:associatedEntity ?subject ; cyto:associationKind ?kind ;
               cyto:associatedDisease ?object ; dcterms:source ?source ; cyto:evidence ?evidence .
  OPTIONAL { ?source dcterms:identifier ?identifier }
  OPTIONAL { ?association cyto:viaDrug ?drug }
}"""
)
_TYPES = (
    _PREFIXES + f"SELECT ?node ?kind WHERE {{ VALUES ?kind {{ {_iris(CATEGORIES)} }} ?node a/rdfs:subClassOf* ?kind }}"
)
_LABELS = _PREFIXES + "SELECT ?node ?value WHERE { ?node rdfs:label ?value FILTER(isIRI(?node)) }"
_XREFS = _PREFIXES + "SELECT ?node ?value WHERE { ?node oboInOwl:hasDbXref ?value FILTER(isIRI(?node)) }"
_SYNONYMS = (
    _PREFIXES
    + """SELECT ?node ?value WHERE {
  VALUES ?property { cyto:hgncSymbol cyto:commonName cyto:aliasSymbol cyto:previousSymbol oboInOwl:hasExactSynonym }
  ?node ?property ?value FILTER(isIRI(?node))
}"""
)

NODE_COLUMNS = ["id", "category", "name", "iri", "xref", "synonym", "provided_by"]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "qualified_predicate",
    "subject_form_or_variant_qualifier",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "original_predicate",
    "clinical_approval_status",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "publications",
    "has_evidence",
]


@dataclass
class KgxSummary:
    """What an export wrote: node counts by category and edge counts by predicate."""

    categories: Counter[str] = field(default_factory=Counter)
    predicates: Counter[str] = field(default_factory=Counter)


@dataclass
class _Edge:
    subject: str
    predicate: Predicate
    object: str
    knowledge_level: str
    agent_type: str
    original: str
    publications: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, ...]:
        """What makes an edge distinct; facts that share it are merged, their provenance pooled."""
        predicate = self.predicate
        return (
            *(self.subject, predicate.predicate, predicate.form, predicate.aspect, predicate.direction, self.object),
            *(self.knowledge_level, self.agent_type, self.original),
        )


def curie(iri: str) -> str:
    """The CURIE of a CytoKG node (prefixes in ``CYTOKG_PREFIXES``) or of an OBO term.

    >>> curie("https://w3id.org/cytokg/protein/HGNC_6018")
    'cytokg.protein:HGNC_6018'
    >>> curie("http://purl.obolibrary.org/obo/CL_0000235")
    'CL:0000235'
    """
    for prefix, namespace in CYTOKG_PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith(str(OBO)):
        prefix, _, local = iri[len(str(OBO)) :].partition("_")
        return f"{prefix}:{local}"
    raise ValueError(f"{iri}: no KGX CURIE prefix for this IRI (CYTOKG_PREFIXES or OBO)")


def _original(iri: str) -> str:
    """A property as a CURIE: ``cyto:`` for CytoKG's vocabulary, the OBO prefix for RO."""
    return "cyto:" + iri[len(str(CYTO)) :] if iri.startswith(str(CYTO)) else curie(iri)


def _publication(identifier: str) -> str:
    """A source's ``dcterms:identifier`` (``PMID:n`` or ``DOI:x``) as a Biolink publication CURIE."""
    prefix, _, local = identifier.partition(":")
    return f"doi:{local}" if prefix == "DOI" else identifier


def _rows(store: Queryable, query: str) -> list[dict[str, str]]:
    table = run_query_text(store, query)
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def _add(edges: dict[tuple[str, ...], _Edge], edge: _Edge, row: dict[str, str]) -> None:
    kept = edges.setdefault(edge.key, edge)
    kept.evidence.add(curie(row["evidence"]))
    if row["identifier"]:
        kept.publications.add(_publication(row["identifier"]))


def _edges(store: Queryable, origin: Path) -> list[_Edge]:
    edges: dict[tuple[str, ...], _Edge] = {}
    for row in _rows(store, _FACTS):
        predicate = PREDICATES[row["property"]]
        if predicate.approval and row["approval"] != _APPROVED:
            raise InputError(
                origin,
                None,
                f"{row['subject']} {predicate.predicate} {row['object']}, but its approval is '{row['approval']}'",
                f"{predicate.predicate} needs an approved use; keep it for approved drugs only (drugs.py)",
            )
        original = _original(predicate.original or row["property"])
        _add(edges, _Edge(row["subject"], predicate, row["object"], *_CURATED, original), row)
    for row in _rows(store, _ASSOCIATIONS):
        if row["kind"] not in ASSOCIATION_KINDS:
            raise InputError(origin, None, f"unknown association kind {row['kind']}", "add it to ASSOCIATION_KINDS")
        level, agent = _DERIVED if row["drug"] else _CURATED
        _add(edges, _Edge(row["subject"], ASSOCIATION_KINDS[row["kind"]], row["object"], level, agent, ""), row)
    return [edges[key] for key in sorted(edges)]


def _categories(store: Queryable, nodes: Iterable[str], origin: Path) -> dict[str, str]:
    kinds: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _TYPES):
        kinds[row["node"]].add(CATEGORIES[row["kind"]])
    categories = {}
    for node in nodes:
        external = node[len(str(OBO)) :].partition("_")[0] if node.startswith(str(OBO)) else ""
        found = kinds[node] | ({EXTERNAL_CATEGORIES[external]} if external in EXTERNAL_CATEGORIES else set())
        if len(found) != 1:
            raise InputError(
                origin,
                None,
                f"{node}: {len(found)} Biolink categories {sorted(found)}",
                "map its class in CATEGORIES or EXTERNAL_CATEGORIES of src/cytokg/kgx.py (exactly one)",
            )
        categories[node] = found.pop()
    return categories


def _values(store: Queryable, query: str) -> defaultdict[str, set[str]]:
    values: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(store, query):
        values[row["node"]].add(row["value"])
    return values


def _cell(value: str | Iterable[str], origin: Path) -> str:
    values = [value] if isinstance(value, str) else sorted(value)
    for text in values:
        if any(character in text for character in "\t\n\r|"):
            raise InputError(origin, None, f"value {text!r} has a tab, newline or '|'", "remove it from the source")
    return "|".join(values)


def _table(columns: list[str], rows: list[list[str | Iterable[str]]], origin: Path) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(_cell(value, origin) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _edge_row(edge: _Edge) -> list[str | Iterable[str]]:
    predicate = edge.predicate
    return [
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, BASE + 'kgx-edge/' + chr(31).join(edge.key))}",
        curie(edge.subject),
        predicate.predicate,
        curie(edge.object),
        _CAUSES if predicate.aspect else "",
        predicate.form,
        predicate.aspect,
        predicate.direction,
        edge.original,
        predicate.approval,
        CYTOKG_INFORES,
        edge.knowledge_level,
        edge.agent_type,
        edge.publications,
        edge.evidence,
    ]


def export_kgx(store: Queryable, out_dir: Path, origin: Path | None = None) -> KgxSummary:
    """Write ``cytokg_nodes.tsv`` and ``cytokg_edges.tsv`` (KGX TSV, Biolink 4) into ``out_dir``.

    ``origin`` names the store in error messages. Nodes are the subjects and objects of the edges.
    """
    origin = origin or out_dir
    edges = _edges(store, origin)
    nodes = sorted({edge.subject for edge in edges} | {edge.object for edge in edges})
    categories = _categories(store, nodes, origin)
    labels, xrefs, synonyms = _values(store, _LABELS), _values(store, _XREFS), _values(store, _SYNONYMS)
    summary = KgxSummary()
    node_rows: list[list[str | Iterable[str]]] = []
    for node in nodes:
        category = categories[node]
        summary.categories[category] += 1
        name = sorted(labels[node])[:1]
        node_rows.append([curie(node), category, name, node, xrefs[node], synonyms[node], CYTOKG_INFORES])
    for edge in edges:
        summary.predicates[edge.predicate.predicate] += 1
    write_atomic(out_dir / "cytokg_nodes.tsv", _table(NODE_COLUMNS, node_rows, origin))
    write_atomic(out_dir / "cytokg_edges.tsv", _table(EDGE_COLUMNS, [_edge_row(edge) for edge in edges], origin))
    return summary
