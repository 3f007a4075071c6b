"""Evidence a user can check: the build's evidence report, evidence kinds, one kind per disease association, and
general source claims that name their disease without being pinned on one cytokine."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef

from cytokg.exports.evidence_report import evidence_kinds, evidence_report
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS

from .conftest import select

BASE = "https://w3id.org/cytokg/"
PREFIXES = "PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def _fixture_graph() -> Graph:
    """Two facts: one cited by a curator and a publication, one by a curator only; one association node."""
    graph = Graph()
    paper, curators = URIRef(BASE + "source/paper"), URIRef(BASE + "source/curators")
    graph.add((paper, RDF.type, CYTO.Publication))
    graph.add((curators, RDF.type, CYTO.CurationPractice))
    facts = [
        (URIRef(BASE + "protein/A"), CYTO.hasReceptor, URIRef(BASE + "complex/B"), (paper, curators)),
        (URIRef(BASE + "protein/A"), CYTO.actsOn, URIRef("http://purl.obolibrary.org/obo/CL_1"), (curators,)),
    ]
    for subject, predicate, obj, sources in facts:
        graph.add((subject, predicate, obj))
        for source in sources:
            axiom = BNode()
            graph.add((axiom, RDF.type, OWL.Axiom))
            graph.add((axiom, OWL.annotatedSource, subject))
            graph.add((axiom, OWL.annotatedProperty, predicate))
            graph.add((axiom, OWL.annotatedTarget, obj))
            graph.add((axiom, DCTERMS.source, source))
    association = URIRef(BASE + "association/X")
    graph.add((association, RDF.type, CYTO.DiseaseAssociation))
    graph.add((association, DCTERMS.source, curators))
    graph.add((CYTO.hasReceptor, RDFS.label, Literal("has receptor")))
    return graph


def test_a_fact_counts_once_under_its_best_evidence() -> None:
    kinds = evidence_kinds(_fixture_graph())
    assert sorted(kinds.values()) == ["a: source document", "c: curator knowledge", "c: curator knowledge"]
    assert kinds[(URIRef(BASE + "protein/A"), CYTO.hasReceptor, URIRef(BASE + "complex/B"))] == "a: source document"
    report = evidence_report(_fixture_graph())
    assert "| **all facts** | 3 | 1 (33.3%) | 0 (0.0%) | 2 (66.7%) | 33.3% |" in report
    assert "| has receptor | 1 | 1 (100.0%) |" in report


def test_the_build_reports_evidence_by_kind(built: Path) -> None:
    report = (built / "reports" / "evidence.md").read_text(encoding="utf-8")
    total = re.search(r"\| \*\*all facts\*\* \| (\d+) \| (\d+) \([^)]*\) \| (\d+) \([^)]*\) \| (\d+) ", report)
    assert total, report[:500]
    facts, a, b, c = (int(n) for n in total.groups())
    assert facts > 3000 and a + b + c == facts
    receptor = re.search(r"\| has receptor \| (\d+) \| (\d+) \([^)]*\) \| (\d+) \(", report)
    assert receptor and int(receptor[2]) + int(receptor[3]) > 0.9 * int(receptor[1]), "bindings cite resources"


def test_an_association_has_one_kind_and_deficiencies_are_not_drivers(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    several = select(
        store,
        PREFIXES + "SELECT ?a WHERE { ?a cyto:associationKind ?k1, ?k2 FILTER(?k1 != ?k2) } LIMIT 5",
    )
    assert not several
    kinds = {
        row["a"].value.rsplit("/", 1)[-1]: row["k"].value.rsplit("/", 1)[-1]
        for row in select(store, PREFIXES + "SELECT ?a ?k WHERE { ?a cyto:associationKind ?k }")
    }
    assert kinds["D-IL10-IBD"] == kinds["D-IL1RN-DIRA"] == kinds["D-IL2RG-XSCID"] == "LossOfFunctionCause"
    assert kinds["D-IL2RA-IDDM10"] == "SusceptibilityLocus"
    assert kinds["D-TNF-RA"] == "PathogenicDriver"
    assert kinds["A-C003-02"] == "Biomarker", "elevated levels make a biomarker; D-C003-11 states the driver"


def test_a_general_claim_names_its_disease_without_a_representative_cytokine(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    named = select(
        store,
        PREFIXES
        + """SELECT ?claim ?disease WHERE { ?c cyto:claimAboutDisease ?d ; cyto:claimId ?claim .
          ?d rdfs:label ?disease }""",
    )
    pairs = {(row["claim"].value, row["disease"].value) for row in named}
    assert ("C001-05", "autoimmune disease") in pairs and ("C001-75", "cancer") in pairs
    pinned = select(
        store,
        PREFIXES
        + """SELECT ?a WHERE { ?a cyto:basedOnClaim/cyto:claimId ?id
          FILTER(?id IN ("C000-14", "C000-15", "C001-05", "C001-74", "C001-75", "C002-19", "C002-22")) }""",
    )
    assert not pinned, "a claim about cytokines in general is not an association of one cytokine"


def test_a_row_source_is_cited_only_for_what_it_states(built: Path) -> None:
    """PMID 17708739 (source 003) names the IL-6 receptor's chains, never its JAKs, STATs or pathway."""
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    rows = select(
        store,
        PREFIXES
        + """PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?p ?source WHERE { ?ax owl:annotatedSource <https://w3id.org/cytokg/complex/IL6R-IL6ST-classic> ;
          owl:annotatedProperty ?p ; dcterms:source ?source }""",
    )
    cited: dict[str, set[str]] = {}
    for row in rows:
        cited.setdefault(row["p"].value.rsplit("/", 1)[-1], set()).add(row["source"].value.rsplit("/", 1)[-1])
    assert "src-003" in cited["hasLigandBindingSubunit"]
    for signaling in ("usesKinase", "activatesSTAT", "signalsVia"):
        assert cited[signaling] == {"cytokg-curation"}, signaling


def test_drug_derived_targets_are_their_own_kind_on_cytokine_pathways(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    derived = select(
        store,
        PREFIXES
        + """SELECT ?kind ?target ?drug ?disease WHERE { ?a cyto:viaDrug/rdfs:label ?drug ; cyto:associationKind ?kind ;
               cyto:associatedEntity ?entity ; cyto:associatedDisease ?disease .
             OPTIONAL { ?entity cyto:hgncSymbol ?target } }""",
    )
    assert len(derived) > 200
    assert {row["kind"].value for row in derived} == {str(CYTO.ApprovedDrugTarget)}
    pairs = {(row["drug"].value, row["target"].value if row["target"] else "") for row in derived}
    assert ("Tocilizumab", "IL6R") in pairs and ("Pacritinib", "JAK2") in pairs and ("Luspatercept", "GDF11") in pairs
    for off_pathway in (("Dexamethasone", "NR3C1"), ("Pacritinib", "FLT3"), ("Luspatercept", "MSTN")):
        assert off_pathway not in pairs, off_pathway
    assert ("Denileukin diftitox", "IL2RA") in pairs and ("Denileukin diftitox", "IL2RG") not in pairs
    curated = select(
        store,
        PREFIXES
        + "SELECT ?a WHERE { ?a cyto:associationKind cyto:ApprovedDrugTarget FILTER NOT EXISTS { ?a cyto:viaDrug [] }}",
    )
    assert not curated, "a 'target of an approved drug' association names its drug"


def test_prophylaxis_is_not_treatment(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    uses = select(
        store,
        PREFIXES
        + """PREFIX obo: <http://purl.obolibrary.org/obo/>
        SELECT ?drug ?use ?disease WHERE { VALUES ?use { cyto:treats cyto:prevents }
          ?d rdfs:label ?drug ; ?use ?x . ?x rdfs:label ?disease }""",
    )
    found = {(row["drug"].value, row["use"].value.rsplit("/", 1)[-1]) for row in uses}
    assert ("Basiliximab", "prevents") in found and ("Basiliximab", "treats") not in found
    assert ("Pegfilgrastim", "prevents") in found and ("Tocilizumab", "treats") in found
