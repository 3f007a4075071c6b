"""Turn curated disease associations into n-ary association nodes with qualifiers and provenance."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import claim_iri, entity_iri
from cytokg.compile.names import label_of
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
#: How an association's label names its kind.
_KIND_WORDS = {
    "biomarker": "biomarker",
    "driver": "driver",
    "deficiency": "deficiency causes it",
    "susceptibility": "susceptibility locus",
    "target": "therapeutic target",
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


def _label(graph: Graph, curated: Curated, row: Row) -> str:
    """A label in words: subject (by its name), disease, kind and the qualifiers that set it apart (never the
    row's key)."""
    disease = curated.terms[curated.term(row, "disease", "MONDO")].label
    subject = label_of(graph, resolve_subject(curated, row, "subject"))
    parts = [f"{subject} in {disease}: {_KIND_WORDS[row['kind']]}"]
    if row["direction"]:
        parts.append(row["direction"])
    if row["specimen"]:
        parts.append(f"in {curated.terms[curated.term(row, 'specimen', 'UBERON')].label}")
    if row["compared_with"]:
        parts.append(f"compared with {curated.terms[curated.term(row, 'compared_with', 'MONDO')].label}")
    if row["timing"]:
        parts.append(row["timing"])
    if row["correlates_with"]:
        values = split_multi(row["correlates_with"])
        names = [v if v in _NAMED else label_of(graph, _correlate(curated, row, v)) for v in values]
        parts.append(f"correlates with {' and '.join(names)}")
    return ", ".join(parts)


def _labels(graph: Graph, curated: Curated, rows: list[Row]) -> dict[str, str]:
    """Each association's label; where two would be the same, the curator's note tells them apart."""
    labels = {row["association_id"]: _label(graph, curated, row) for row in rows}
    seen = Counter(labels.values())
    for row in rows:
        key = row["association_id"]
        if seen[labels[key]] > 1:
            if not row["note"]:
                raise row.error(
                    f"association '{key}' reads the same as another: '{labels[key]}'",
                    "add a note that says what sets it apart, or merge the two rows",
                )
            labels[key] += f" ({row['note'].rstrip('.')})"
    return labels


def add_disease_associations(graph: Graph, curated: Curated) -> None:
    """Add one ``cyto:DiseaseAssociation`` node per row of disease_associations*.tsv."""
    rows = list(curated.rows("disease_associations.tsv"))
    for row in rows:
        if row.required("kind") not in _KINDS:
            fix = f"use one of {sorted(_KINDS)}; a second kind of link is a second association row"
            raise row.error(f"unknown kind '{row['kind']}'", fix)
    labels = _labels(graph, curated, rows)
    for row in rows:
        node = entity_iri("association", row.required("association_id"))
        subject = resolve_subject(curated, row, "subject")
        disease = obo_iri(curated.term(row, "disease", "MONDO"))
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.DiseaseAssociation))
        graph.add((node, RDFS.label, Literal(labels[row["association_id"]], lang="en")))
        graph.add((node, CYTO.associatedEntity, subject))
        graph.add((node, CYTO.associatedDisease, disease))
        kind = row["kind"]
        graph.add((node, CYTO.associationKind, _KINDS[kind]))
        if row["specimen"]:
            specimen = obo_iri(curated.term(row, "specimen", "UBERON"))
            graph.add((node, CYTO.specimen, specimen))
        if row["direction"]:
            if row["direction"] not in _DIRECTIONS:
                raise row.error(f"unknown direction '{row['direction']}'", f"use one of {sorted(_DIRECTIONS)}")
            graph.add((node, CYTO.direction, _DIRECTIONS[row["direction"]]))
        if row["compared_with"]:
            other = obo_iri(curated.term(row, "compared_with", "MONDO"))
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
