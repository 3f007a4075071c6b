"""Turn the curated drug table into drug nodes with targets, mechanism and approved indications."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri
from cytokg.compile.names import label_of
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS, obo_iri

__all__ = ["add_drugs"]

_MECHANISMS = {
    "neutralising-antibody": CYTO.NeutralisingAntibody,
    "receptor-blocking-antibody": CYTO.ReceptorBlockingAntibody,
    "cell-depleting-antibody": CYTO.CellDepletingAntibody,
    "soluble-decoy-receptor": CYTO.SolubleDecoyReceptor,
    "recombinant-antagonist": CYTO.RecombinantAntagonist,
    "recombinant-cytokine": CYTO.RecombinantCytokine,
    "receptor-agonist": CYTO.ReceptorAgonist,
    "fusion-toxin": CYTO.CytokineFusionToxin,
    "jak-inhibitor": CYTO.JAKInhibition,
    "small-molecule-receptor-antagonist": CYTO.SmallMoleculeReceptorAntagonist,
    "production-inhibitor": CYTO.CytokineProductionInhibition,
}
_APPROVAL = ("approved", "withdrawn", "discontinued")
_DRUGBANK = re.compile(r"^DB[0-9]{5}$")


def _check(row: Row) -> None:
    if not _DRUGBANK.match(row.required("drugbank_id")):
        raise row.error(f"'{row['drugbank_id']}' is not a DrugBank ID", "write it as DB followed by 5 digits")
    if row.required("mechanism") not in _MECHANISMS:
        raise row.error(f"unknown mechanism '{row['mechanism']}'", f"use one of {sorted(_MECHANISMS)}")
    if row.required("approval") not in _APPROVAL:
        raise row.error(f"unknown approval '{row['approval']}'", f"use one of {_APPROVAL}")


#: Mechanisms whose target is not on a cytokine pathway (glucocorticoids act through their own nuclear receptor):
#: their approved uses say nothing about a cytokine system target, so no target association is derived.
_OFF_PATHWAY = ("production-inhibitor",)


def _add_target_association(
    graph: Graph, curated: Curated, row: Row, target: URIRef, disease: str, prov: Provenance
) -> None:
    """Derive 'target of an approved drug in disease' from an approved drug's indication or prophylactic use."""
    key = f"{row['drugbank_id']}-{target.rsplit('/', 1)[-1]}-{disease.replace(':', '_')}"
    node = entity_iri("association", key)
    graph.add((node, RDF.type, OWL.NamedIndividual))
    graph.add((node, RDF.type, CYTO.DiseaseAssociation))
    label = f"{label_of(graph, target)} as target of {row['name']} in {curated.terms[disease].label}"
    graph.add((node, RDFS.label, Literal(label, lang="en")))
    graph.add((node, CYTO.associatedEntity, target))
    graph.add((node, CYTO.associatedDisease, obo_iri(disease)))
    graph.add((node, CYTO.associationKind, CYTO.ApprovedDrugTarget))
    graph.add((node, CYTO.viaDrug, entity_iri("drug", row["drugbank_id"])))
    graph.add((node, DCTERMS.source, prov.source_iri))
    graph.add((node, CYTO.evidence, obo_iri(prov.evidence)))


def _uses(curated: Curated, row: Row) -> list[tuple[URIRef, str]]:
    """The approved uses of a drug: (cyto:treats or cyto:prevents, MONDO CURIE)."""
    uses = []
    for column, relation in (("indications", CYTO.treats), ("prevents", CYTO.prevents)):
        for value in split_multi(row[column]):
            uses.append(
                (relation, curated.term(Row(row.path, row.line, {**row.values, column: value}), column, "MONDO"))
            )
    return uses


def _indication_targets(curated: Curated, row: Row, targets: list[str]) -> list[URIRef]:
    """The targets the drug's approved uses act through (all targets unless ``indication_targets`` names some)."""
    if row["mechanism"] in _OFF_PATHWAY:
        return []
    chosen = split_multi(row["indication_targets"]) or targets
    for symbol in chosen:
        if symbol not in targets:
            raise row.error(f"indication target '{symbol}' is not one of the drug's targets", "name one of 'targets'")
    return [resolve_subject(curated, Row(row.path, row.line, {**row.values, "target": s}), "target") for s in chosen]


def add_drugs(graph: Graph, curated: Curated) -> None:
    """Add drugs; 'is substance that treats', 'prevents' and the derived target associations only
    for approved drugs' uses."""
    for row in curated.rows("drugs.tsv"):
        _check(row)
        node = entity_iri("drug", row["drugbank_id"])
        prov = Provenance(curated.source(row), curated.term(row, "evidence", "ECO"))
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.Drug))
        graph.add((node, RDFS.label, Literal(row.required("name"), lang="en")))
        graph.add((node, CYTO.drugbankId, Literal(row["drugbank_id"])))
        graph.add((node, CYTO.approvalStatus, Literal(row["approval"])))
        if row["chebi_id"]:
            curie = curated.term(row, "chebi_id", "CHEBI")
            graph.add((node, CYTO.chebiId, Literal(curie)))
        add_fact(graph, node, CYTO.hasMechanism, _MECHANISMS[row["mechanism"]], prov)
        targets = split_multi(row["targets"])
        if not targets:
            raise row.error("drug has no target", "name its target symbols in 'targets'")
        for target in targets:
            subject_row = Row(row.path, row.line, {**row.values, "target": target})
            add_fact(graph, node, CYTO.hasTarget, resolve_subject(curated, subject_row, "target"), prov)
        acting = _indication_targets(curated, row, targets)
        uses = _uses(curated, row)
        if uses and row["approval"] != "approved":
            raise row.error("indications or prophylactic uses of a drug that is not approved", "leave them empty")
        for relation, curie in uses:
            add_fact(graph, node, relation, obo_iri(curie), prov)
            for through in acting:
                _add_target_association(graph, curated, row, through, curie, prov)
        if row["note"]:
            graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
