"""Turn curated disease associations into n-ary association nodes with qualifiers and provenance."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import claim_iri, entity_iri
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["add_disease_associations"]

_KINDS = {
    "biomarker": CYTO.Biomarker,
    "driver": CYTO.PathogenicDriver,
    "deficiency": CYTO.LossOfFunctionCause,
    "susceptibility": CYTO.SusceptibilityLocus,
    "target": CYTO.TherapeuticTarget,
}
_DIRECTIONS = {"elevated": CYTO.Elevated, "decreased": CYTO.Decreased}
_NAMED = {
    "disease activity": CYTO.DiseaseActivity,
    "IgM rheumatoid factor": CYTO.IgMRheumatoidFactor,
    "acute-phase proteins": CYTO.AcutePhaseProteins,
}


def _correlate(curated: Curated, row: Row, value: str) -> URIRef:
    if value in _NAMED:
        return _NAMED[value]
    return resolve_subject(
        curated, Row(row.path, row.line, {**row.values, "correlates_with": value}), "correlates_with"
    )


def add_disease_associations(graph: Graph, curated: Curated) -> None:
    """Add one ``cyto:DiseaseAssociation`` node per row of disease_associations*.tsv."""
    for row in curated.rows("disease_associations.tsv"):
        node = entity_iri("association", row.required("association_id"))
        subject = resolve_subject(curated, row, "subject")
        disease = obo_iri(curated.term(row, "disease", "MONDO"))
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.DiseaseAssociation))
        graph.add((disease, RDF.type, OWL.NamedIndividual))
        label = f"{row['subject']} in {curated.terms[curated.term(row, 'disease', 'MONDO')].label}"
        graph.add((node, RDFS.label, Literal(f"{label} ({row['association_id']})", lang="en")))
        graph.add((node, CYTO.associatedEntity, subject))
        graph.add((node, CYTO.associatedDisease, disease))
        kind = row.required("kind")
        if kind not in _KINDS:
            fix = f"use one of {sorted(_KINDS)}; a second kind of link is a second association row"
            raise row.error(f"unknown kind '{kind}'", fix)
        graph.add((node, CYTO.associationKind, _KINDS[kind]))
        if row["specimen"]:
            specimen = obo_iri(curated.term(row, "specimen", "UBERON"))
            graph.add((specimen, RDF.type, OWL.NamedIndividual))
            graph.add((node, CYTO.specimen, specimen))
        if row["direction"]:
            if row["direction"] not in _DIRECTIONS:
                raise row.error(f"unknown direction '{row['direction']}'", f"use one of {sorted(_DIRECTIONS)}")
            graph.add((node, CYTO.direction, _DIRECTIONS[row["direction"]]))
        if row["compared_with"]:
            other = obo_iri(curated.term(row, "compared_with", "MONDO"))
            graph.add((other, RDF.type, OWL.NamedIndividual))
            graph.add((node, CYTO.comparedWith, other))
        if row["timing"]:
            graph.add((node, CYTO.timing, Literal(row["timing"], lang="en")))
        for value in split_multi(row["correlates_with"]):
            graph.add((node, CYTO.correlatesWith, _correlate(curated, row, value)))
        graph.add((node, DCTERMS.source, entity_iri("source", curated.source(row))))
        graph.add((node, CYTO.evidence, obo_iri(curated.term(row, "evidence", "ECO"))))
        claim = claim_iri(curated, row)
        if claim is not None:
            graph.add((node, CYTO.basedOnClaim, claim))
        if row["note"]:
            graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
