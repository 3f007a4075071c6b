"""``reports/evidence.md``: where CytoKG's facts come from, by kind of evidence and by kind of fact.

A fact is a triple with at least one ``owl:Axiom`` annotation (``dcterms:source`` and ``cyto:evidence``), or
an n-ary node that carries its own source (a disease association, a role assertion). Its evidence is of one
of three kinds, the best of its sources deciding:

(a) a source document (a ``cyto:Publication``: PMID, DOI, or title and date);
(b) a curated external resource that lists the fact (a ``cyto:ReferenceResource``: HGNC, CellPhoneDB …);
(c) curator knowledge without a checkable reference (a ``cyto:CurationPractice``).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rdflib import Graph, URIRef
from rdflib.term import Node

from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS

__all__ = ["KINDS", "evidence_kinds", "evidence_report"]

#: n-ary statements that carry their source on the node itself.
_NODES = (CYTO.DiseaseAssociation, CYTO.RoleAssertion)
#: Source class → evidence kind, best first.
KINDS = {
    CYTO.Publication: "a: source document",
    CYTO.ReferenceResource: "b: curated resource",
    CYTO.CurationPractice: "c: curator knowledge",
}


def evidence_kinds(graph: Graph) -> dict[tuple[URIRef, URIRef, URIRef], str]:
    """Each annotated fact and the best kind of evidence among its sources."""
    kind_of_source = {source: kind for cls, kind in KINDS.items() for source in graph.subjects(RDF.type, cls)}
    best: dict[tuple[URIRef, URIRef, URIRef], str] = {}

    def cite(key: tuple[URIRef, URIRef, URIRef], source: Node) -> None:
        kind = kind_of_source.get(source)
        if kind and (key not in best or kind < best[key]):
            best[key] = kind

    for cls in _NODES:
        for node in graph.subjects(RDF.type, cls):
            if isinstance(node, URIRef):
                for source in graph.objects(node, DCTERMS.source):
                    cite((node, RDF.type, cls), source)
    for axiom in graph.subjects(RDF.type, OWL.Axiom):
        subject = graph.value(axiom, OWL.annotatedSource)
        prop = graph.value(axiom, OWL.annotatedProperty)
        obj = graph.value(axiom, OWL.annotatedTarget)
        if isinstance(subject, URIRef) and isinstance(prop, URIRef) and isinstance(obj, URIRef):
            for source in graph.objects(axiom, DCTERMS.source):
                cite((subject, prop, obj), source)
    return best


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _name(graph: Graph, prop: URIRef) -> str:
    label = graph.value(prop, RDFS.label)
    return str(label) if label else prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def evidence_report(graph: Graph) -> str:
    """The Markdown report: shares of facts by evidence kind, overall and per property."""
    kinds = evidence_kinds(graph)
    by_property: dict[URIRef, Counter[str]] = defaultdict(Counter)
    for (_, prop, obj), kind in kinds.items():
        by_property[obj if obj in _NODES and prop == RDF.type else prop][kind] += 1
    total = Counter(kinds.values())
    columns = list(KINDS.values())
    lines = [
        "# Evidence: where CytoKG's facts come from",
        "",
        "Each fact (a triple with its axiom annotations) counts once, under the best kind among its sources:",
        "(a) a source document, (b) a curated resource that lists the fact, (c) curator knowledge.",
        "",
        "| fact | facts | " + " | ".join(columns) + " | a or b |",
        "|---|---|" + "---|" * len(columns) + "---|",
    ]
    rows = sorted(by_property.items(), key=lambda item: (-sum(item[1].values()), _name(graph, item[0])))
    for prop, counts in [(URIRef("all"), total), *rows]:
        whole = sum(counts.values())
        name = "**all facts**" if prop == URIRef("all") else _name(graph, prop)
        cells = " | ".join(f"{counts[kind]} ({_percent(counts[kind], whole)})" for kind in columns)
        traced = counts[columns[0]] + counts[columns[1]]
        lines.append(f"| {name} | {whole} | {cells} | {_percent(traced, whole)} |")
    lines.append("")
    return "\n".join(lines)
