"""Turn the curated drug table into drug nodes with targets, mechanism and approved indications."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri
from cytokg.compile.subjects import resolve_subject
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, DCTERMS, OBO, OWL, RDF, RDFS, obo_iri

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


def _add_target_association(graph: Graph, row: Row, target: URIRef, disease: str, prov: Provenance) -> None:
    """Derive 'target is a therapeutic target in disease' from an approved drug's indication."""
    key = f"{row['drugbank_id']}-{target.rsplit('/', 1)[-1]}-{disease.replace(':', '_')}"
    node = entity_iri("association", key)
    graph.add((node, RDF.type, OWL.NamedIndividual))
    graph.add((node, RDF.type, CYTO.DiseaseAssociation))
    label = f"target of {row['name']} in {disease} ({key})"
    graph.add((node, RDFS.label, Literal(label, lang="en")))
    graph.add((node, CYTO.associatedEntity, target))
    graph.add((node, CYTO.associatedDisease, obo_iri(disease)))
    graph.add((node, CYTO.associationKind, CYTO.TherapeuticTarget))
    graph.add((node, CYTO.viaDrug, entity_iri("drug", row["drugbank_id"])))
    graph.add((node, DCTERMS.source, prov.source_iri))
    graph.add((node, CYTO.evidence, obo_iri(prov.evidence)))


def add_drugs(graph: Graph, curated: Curated) -> None:
    """Add drugs; 'is substance that treats' (RO:0002606) and the derived therapeutic-target
    associations only for approved drugs' indications."""
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
        if row["approval"] != "approved":
            continue
        for indication in split_multi(row["indications"]):
            indication_row = Row(row.path, row.line, {**row.values, "indication": indication})
            curie = curated.term(indication_row, "indication", "MONDO")
            disease = obo_iri(curie)
            graph.add((disease, RDF.type, OWL.NamedIndividual))
            add_fact(graph, node, OBO.RO_0002606, disease, prov)
            for target in targets:
                target_row = Row(row.path, row.line, {**row.values, "target": target})
                _add_target_association(graph, row, resolve_subject(curated, target_row, "target"), curie, prov)
        if row["note"]:
            graph.add((node, RDFS.comment, Literal(row["note"], lang="en")))
