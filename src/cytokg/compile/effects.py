"""Turn curated effects into RDF: GO process links, cytokine regulation, signaling modes, inflammatory roles."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Annotation, Provenance, add_fact, claim_iri, entity_iri, note
from cytokg.compile.names import label_of
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["add_effects"]

_PROCESS_RELATIONS = {
    # RO "involved in positive/negative regulation of": a material entity (the gene product) and a process;
    # RO:0002213/RO:0002212 ("positively/negatively regulates") hold between two processes.
    "positivelyRegulates": CYTO.positivelyRegulates,
    "negativelyRegulates": CYTO.negativelyRegulates,
    "involvedIn": CYTO.involvedIn,
}
_REGULATION = {"induces": CYTO.inducesExpressionOf, "represses": CYTO.repressesExpressionOf}
_MODES = {
    "autocrine": CYTO.AutocrineSignaling,
    "paracrine": CYTO.ParacrineSignaling,
    "endocrine": CYTO.EndocrineSignaling,
    "juxtacrine": CYTO.JuxtacrineSignaling,
    "intracrine": CYTO.IntracrineSignaling,
}
_ROLES = {"pro": CYTO.ProInflammatory, "anti": CYTO.AntiInflammatory}


def _prov(curated: Curated, row: Row) -> Provenance:
    return Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))


def _choice(row: Row, column: str, choices: dict[str, URIRef]) -> URIRef:
    value = row.required(column)
    if value not in choices:
        raise row.error(f"unknown {column} '{value}'", f"use one of {sorted(choices)}")
    return choices[value]


def _cell_context(curated: Curated, row: Row) -> list[Annotation]:
    """Where a regulation was seen: its CL cell types (``cyto:inCellType``) and the words (``cyto:context``)."""
    cells: list[Annotation] = [
        (CYTO.inCellType, obo_iri(curie)) for curie in curated.term_list(row, "context_cells", "CL")
    ]
    words: list[Annotation] = [(CYTO.context, Literal(row["context"], lang="en"))] if row["context"] else []
    if cells and not words:
        raise row.error("'context_cells' without 'context'", "say in 'context' in words which cells they are")
    return cells + words


def add_effects(graph: Graph, curated: Curated) -> None:
    """Add process links, regulation, signaling modes and role assertions with their provenance."""
    for row in curated.rows("process_links.tsv"):
        process = obo_iri(curated.term(row, "process", "GO"))
        predicate = _choice(row, "relation", _PROCESS_RELATIONS)
        add_fact(graph, resolve_subject(curated, row, "subject"), predicate, process, _prov(curated, row), note(row))
    for row in curated.rows("regulation.tsv"):
        subject = resolve_subject(curated, row, "regulator")
        target = resolve_subject(curated, row, "target")
        predicate = _choice(row, "relation", _REGULATION)
        add_fact(graph, subject, predicate, target, _prov(curated, row), _cell_context(curated, row) + note(row))
    for row in curated.rows("signaling_modes.tsv"):
        subject = resolve_subject(curated, row, "subject")
        mode = _choice(row, "mode", _MODES)
        add_fact(graph, subject, CYTO.hasSignalingMode, mode, _prov(curated, row), note(row))
    for row in curated.rows("inflammatory_roles.tsv"):
        subject = resolve_subject(curated, row, "subject")
        role = _choice(row, "role", _ROLES)
        key = f"{str(subject).rsplit('/', 1)[-1]}-{row['role']}-{row['source']}"
        node = entity_iri("role", key)
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.RoleAssertion))
        source = label_of(graph, entity_iri("source", curated.source(row)))
        label = f"{row['role']}-inflammatory role of {label_of(graph, subject)} ({source})"
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, CYTO.roleOf, subject))
        graph.add((node, CYTO.assertedRole, role))
        graph.add((node, DCTERMS.source, entity_iri("source", curated.source(row))))
        graph.add((node, CYTO.evidence, obo_iri(curated.term(row, "evidence", "ECO"))))
        if row["context"]:
            graph.add((node, CYTO.context, Literal(row["context"], lang="en")))
        claim = claim_iri(curated, row)
        if claim is not None:
            graph.add((node, CYTO.basedOnClaim, claim))
