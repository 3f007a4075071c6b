"""Source claims: turn the curated claims table (from the curation record, FACTS.md §1) into claim nodes.

Each claim keeps the source's statement (in the curators' words, never quoted text) with its curation
status, so "what did source X say?" is answerable while rejected claims never become facts. A claim about
cytokines in general names its disease itself (claim_diseases.tsv) instead of being pinned on one cytokine.
"""

from __future__ import annotations

from rdflib import Graph, Literal

from cytokg.compile.curated import Curated
from cytokg.compile.facts import entity_iri
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["CLAIM_COLUMNS", "add_claims", "status_of"]

CLAIM_COLUMNS = ("claim_id", "source", "subject", "relation", "object", "qualifiers", "flag", "status")
_STATUS = {
    "asserted": CYTO.Asserted,
    "simplified": CYTO.Simplified,
    "disputed": CYTO.Disputed,
    "rejected": CYTO.Rejected,
}


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


def add_claims(graph: Graph, curated: Curated) -> None:
    """Add one SourceClaim node per curated claim, with its source, status and correction."""
    for row in curated.rows("source_claims.tsv"):
        status = row.required("status")
        if status not in _STATUS:
            raise row.error(f"unknown status '{status}'", f"use one of {sorted(_STATUS)}")
        node = entity_iri("claim", row.required("claim_id"))
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.SourceClaim))
        graph.add((node, RDFS.label, Literal(f"claim {row['claim_id']}", lang="en")))
        graph.add((node, CYTO.claimId, Literal(row["claim_id"])))
        text = f"{row['subject']} | {row['relation']} | {row['object']}"
        qualifiers = row["qualifiers"]
        if qualifiers:
            text += f" {qualifiers}" if qualifiers.startswith("(") and qualifiers.endswith(")") else f" ({qualifiers})"
        graph.add((node, CYTO.claimText, Literal(text, lang="en")))
        graph.add((node, CYTO.curationStatus, _STATUS[status]))
        graph.add((node, DCTERMS.source, entity_iri("source", curated.source(row))))
        if status != "asserted" or not row["flag"].startswith("OK"):
            graph.add((node, CYTO.correction, Literal(row["flag"], lang="en")))
    claims = {row["claim_id"] for row in curated.rows("source_claims.tsv")}
    for row in curated.rows("claim_diseases.tsv"):
        if row.required("claim_id") not in claims:
            raise row.error(f"unknown claim '{row['claim_id']}'", "use a claim_id of source_claims.tsv")
        disease = obo_iri(curated.term(row, "disease", "MONDO"))
        graph.add((entity_iri("claim", row["claim_id"]), CYTO.claimAboutDisease, disease))
