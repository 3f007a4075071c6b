"""Source claims: turn the curated claims table (from the curation record's claim tables) into claim nodes.

Each claim keeps the source's statement (in the curators' words, never quoted text) with its curation
status, so "what did source X say?" is answerable while rejected claims never become facts. A claim names
the entities it is about (claim_entities.tsv); a claim about cytokines in general names its disease itself
(claim_diseases.tsv) instead of being pinned on one cytokine. Claims that are not asserted as stated have a
correction written for a reader (corrections.tsv), and a claim that states a fact of the graph cites its
source document on that fact (claim_facts.tsv, added once every fact is in the graph).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from cytokg.compile.curated import CURIE_PATTERN, Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.errors import InputError
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["CLAIM_COLUMNS", "FACT_RELATIONS", "add_claim_facts", "add_claims", "claim_label", "status_of"]

CLAIM_COLUMNS = ("claim_id", "source", "subject", "relation", "object", "qualifiers", "flag", "status")
_STATUS = {
    "asserted": CYTO.Asserted,
    "simplified": CYTO.Simplified,
    "disputed": CYTO.Disputed,
    "rejected": CYTO.Rejected,
}
#: Claims of these statuses may support facts of the graph.
_SUPPORTING = ("asserted", "simplified")
#: The relations a claim's fact may name, in the words of the fact tables.
FACT_RELATIONS = {
    "producedBy": CYTO.producedBy,
    "actsOn": CYTO.actsOn,
    "positivelyRegulates": CYTO.positivelyRegulates,
    "negativelyRegulates": CYTO.negativelyRegulates,
    "involvedIn": CYTO.involvedIn,
    "induces": CYTO.inducesExpressionOf,
    "represses": CYTO.repressesExpressionOf,
    "hasReceptor": CYTO.hasReceptor,
    "hasSignalingMode": CYTO.hasSignalingMode,
    "signalsVia": CYTO.signalsVia,
    "hasTarget": CYTO.hasTarget,
    "hasMechanism": CYTO.hasMechanism,
    "treats": CYTO.treats,
    "memberOf": RDF.type,
}
_FACT_COLUMNS = ("subject", "relation", "object")
_LABEL_LENGTH = 90


def status_of(flag: str) -> str:
    """Map a curation flag (OK, SIMPL, AMBIG, WRONG, META) to a curation status.

    >>> [status_of(f) for f in ("OK", "SIMPL (E4)", "SIMPL / WRONG (E3)", "WRONG, partly (E6)", "AMBIG (E8)")]
    ['asserted', 'simplified', 'rejected', 'disputed', 'disputed']
    """
    if flag.startswith("WRONG, partly") or (flag.startswith("OK") and "WRONG" in flag):
        return "disputed"
    if flag.startswith(("WRONG", "SIMPL / WRONG")):
        return "rejected"
    if flag.startswith("SIMPL"):
        return "simplified"
    if flag.startswith("AMBIG"):
        return "disputed"
    if flag.startswith(("OK", "META")):
        return "asserted"
    raise ValueError(f"unknown curation flag: {flag!r}")


def claim_label(subject: str, relation: str, obj: str) -> str:
    """A label a person can read: the claim as one phrase, shortened at a word if long.

    >>> claim_label("IL-6", "mainly secreted by", "neuronal cells")
    'IL-6 mainly secreted by neuronal cells'
    >>> claim_label("autocrine signalling", "=", "cytokine binds receptors on the same cell")
    'autocrine signalling: cytokine binds receptors on the same cell'
    """
    text = f"{subject}: {obj}" if relation in ("=", "—") else f"{subject} {relation} {obj}"
    text = " ".join(text.replace("*", "").split())
    if len(text) <= _LABEL_LENGTH:
        return text
    return text[: _LABEL_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _claim_text(row: Row) -> str:
    """The claim as subject | relation | object, with its qualifiers in parentheses."""
    text = f"{row['subject']} | {row['relation']} | {row['object']}"
    qualifiers = row["qualifiers"]
    if qualifiers:
        text += f" {qualifiers}" if qualifiers.startswith("(") and qualifiers.endswith(")") else f" ({qualifiers})"
    return text


def _claim(statuses: dict[str, str], row: Row, column: str, claim: str) -> URIRef:
    """The IRI of ``claim``, named in ``row[column]``, checked against the claims table."""
    if claim not in statuses:
        raise row.error(f"unknown claim '{claim}' in column '{column}'", "use a claim_id of source_claims.tsv")
    return entity_iri("claim", claim)


def _entity(graph: Graph, curated: Curated, row: Row, column: str) -> URIRef:
    """The entity a cell names: a CURIE, ``cyto:Name``, a DrugBank id, a receptor complex, or a gene product."""
    key = row.required(column)
    if CURIE_PATTERN.match(key):
        return obo_iri(curated.term(row, column))
    if key.startswith("cyto:"):
        iri: URIRef = CYTO[key.removeprefix("cyto:")]
        if (iri, RDFS.label, None) not in graph:
            raise row.error(f"'{key}' is not declared in ontology/cytokg-edit.ttl", "use a CytoKG class or value")
        return iri
    if key in {r["drugbank_id"] for r in curated.rows("drugs.tsv")}:
        return entity_iri("drug", key)
    if key in {r["complex_id"] for r in curated.rows("receptor_complexes.tsv")}:
        return entity_iri("complex", key)
    return resolve_subject(curated, row, column)


def _axioms(graph: Graph, subject: URIRef, predicate: URIRef, obj: URIRef) -> list[Node]:
    """The provenance annotations (owl:Axiom nodes) of one fact."""
    return [
        axiom
        for axiom in graph.subjects(OWL.annotatedSource, subject)
        if (axiom, OWL.annotatedProperty, predicate) in graph and (axiom, OWL.annotatedTarget, obj) in graph
    ]


def _fact(graph: Graph, curated: Curated, row: Row, columns: tuple[str, str, str]) -> tuple[URIRef, URIRef, URIRef]:
    """The fact a row names as subject, relation and object; it must be a fact of the graph."""
    subject_column, relation_column, object_column = columns
    relation = row.required(relation_column)
    if relation not in FACT_RELATIONS:
        raise row.error(f"unknown relation '{relation}'", f"use one of {sorted(FACT_RELATIONS)}")
    fact = (
        _entity(graph, curated, row, subject_column),
        FACT_RELATIONS[relation],
        _entity(graph, curated, row, object_column),
    )
    if not _axioms(graph, *fact):
        where = f"{row[subject_column]} {relation} {row[object_column]}"
        raise row.error(f"fact '{where}' is not in the graph", "name a fact another table asserts, or add it there")
    return fact


def _add_claim_nodes(graph: Graph, curated: Curated) -> dict[str, str]:
    """Add one SourceClaim node per claims-table row; return each claim's curation status."""
    statuses: dict[str, str] = {}
    for row in curated.rows("source_claims.tsv"):
        status = row.required("status")
        if status not in _STATUS:
            raise row.error(f"unknown status '{status}'", f"use one of {sorted(_STATUS)}")
        try:
            meant = status_of(row.required("flag"))
        except ValueError as error:
            raise row.error(str(error), "use a flag of the curation record: OK, SIMPL, AMBIG, WRONG or META") from error
        if status != meant:
            raise row.error(
                f"status '{status}' does not follow from the curators' flag '{row['flag']}'",
                f"regenerate the table with `cytokg curate claims` (the flag means '{meant}')",
            )
        statuses[row.required("claim_id")] = status
        node = entity_iri("claim", row["claim_id"])
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.SourceClaim))
        label = claim_label(row["subject"], row["relation"], row["object"])
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, CYTO.claimId, Literal(row["claim_id"])))
        graph.add((node, CYTO.claimText, Literal(_claim_text(row), lang="en")))
        graph.add((node, CYTO.curationStatus, _STATUS[status]))
        graph.add((node, DCTERMS.source, entity_iri("source", curated.source(row))))
    return statuses


def _add_corrections(graph: Graph, curated: Curated, statuses: dict[str, str]) -> None:
    """Add the correction nodes, link the claims they correct and the claims that contradict those."""
    corrected: dict[str, Row] = {}
    for row in curated.rows("corrections.tsv"):
        node = entity_iri("correction", row.required("correction_id"))
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.Correction))
        graph.add((node, RDFS.label, Literal(row.required("label"), lang="en")))
        graph.add((node, CYTO.correction, Literal(row.required("text"), lang="en")))
        contradicting = [_claim(statuses, row, "contradicted_by", c) for c in split_multi(row["contradicted_by"])]
        for claim_id in split_multi(row.required("claims")):
            claim = _claim(statuses, row, "claims", claim_id)
            if claim_id in corrected:
                first = corrected[claim_id].line
                raise row.error(f"claim '{claim_id}' already has a correction (line {first})", "keep one row per claim")
            corrected[claim_id] = row
            graph.add((claim, CYTO.correctedBy, node))
            for other in contradicting:
                graph.add((claim, CYTO.contradictedBy, other))
    missing = sorted(claim for claim, status in statuses.items() if status != "asserted" and claim not in corrected)
    if missing:
        raise InputError(
            curated.root / "data" / "corrections.tsv",
            None,
            f"claim(s) {', '.join(missing)} are not asserted as stated and have no correction",
            "add a row that explains, for a reader, what CytoKG models instead",
        )


def _add_correction_facts(graph: Graph, curated: Curated) -> None:
    """Name each correction on the provenance of the facts CytoKG models instead of the corrected claims."""
    for row in curated.rows("corrections.tsv"):
        node = entity_iri("correction", row["correction_id"])
        for text in split_multi(row["facts"]):
            parts = text.split()
            if len(parts) != 3:
                raise row.error(f"fact '{text}' is not SUBJECT RELATION OBJECT", "separate the three by spaces")
            cells = Row(row.path, row.line, {**row.values, **dict(zip(_FACT_COLUMNS, parts, strict=True))})
            for axiom in _axioms(graph, *_fact(graph, curated, cells, _FACT_COLUMNS)):
                graph.add((axiom, CYTO.partOfCorrection, node))


def add_claims(graph: Graph, curated: Curated) -> None:
    """Add one SourceClaim node per curated claim: source, status, the entities it names, its correction."""
    statuses = _add_claim_nodes(graph, curated)
    for row in curated.rows("claim_diseases.tsv"):
        disease = obo_iri(curated.term(row, "disease", "MONDO"))
        graph.add((_claim(statuses, row, "claim_id", row.required("claim_id")), CYTO.claimAboutDisease, disease))
    for row in curated.rows("claim_entities.tsv"):
        claim = _claim(statuses, row, "claim_id", row.required("claim_id"))
        graph.add((claim, CYTO.claimAbout, _entity(graph, curated, row, "entity")))
    _add_corrections(graph, curated, statuses)


def add_claim_facts(graph: Graph, curated: Curated) -> None:
    """Link claims and corrections to facts of the graph (run once every fact is in the graph).

    Each claim of claim_facts.tsv cites its source document on the fact it states: a fact that already
    cites the document gets the claim named on that citation; any other fact gets a further citation, its
    own axiom annotation with the document, the row's evidence and the claim.
    """
    _add_correction_facts(graph, curated)
    claims = {row["claim_id"]: row for row in curated.rows("source_claims.tsv")}
    for row in curated.rows("claim_facts.tsv"):
        claim_id = row.required("claim_id")
        if claim_id not in claims:
            raise row.error(f"unknown claim '{claim_id}' in column 'claim_id'", "use a claim_id of source_claims.tsv")
        status = claims[claim_id]["status"]
        if status not in _SUPPORTING:
            raise row.error(f"claim '{claim_id}' is {status}", "only asserted or simplified claims support facts")
        fact = _fact(graph, curated, row, _FACT_COLUMNS)
        prov = Provenance(curated.source(claims[claim_id]), curated.term(row, "evidence", "ECO"))
        source = prov.source_iri
        cited = [axiom for axiom in _axioms(graph, *fact) if (axiom, DCTERMS.source, source) in graph]
        if not cited:
            add_fact(graph, *fact, prov)
            cited = [axiom for axiom in _axioms(graph, *fact) if (axiom, DCTERMS.source, source) in graph]
        for axiom in cited:
            graph.add((axiom, CYTO.citesClaim, entity_iri("claim", claim_id)))
