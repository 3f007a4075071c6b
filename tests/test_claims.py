"""Every claim of the curation record is in the graph with its source and status; rejected claims are not facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from cytokg.compile.claims import status_of
from cytokg.namespaces import CYTO, DCTERMS, OBO

from .conftest import need_refdata, result_rows

CLAIM = "https://w3id.org/cytokg/claim/"
PROTEIN = "https://w3id.org/cytokg/protein/"


@pytest.fixture(scope="module")
def graph(built: Path) -> Graph:
    return Graph().parse(built / "cytokg.nt", format="nt")


def test_every_claim_is_in_the_graph_with_source_and_status(graph: Graph) -> None:
    refdata = need_refdata()
    facts = refdata.parent / "curation" / "FACTS.md"
    lines = [line for line in facts.read_text().splitlines() if re.match(r"^\| C00[0-4]-[A-Z]?\d+ \|", line)]
    assert len(lines) >= 250
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        node = URIRef(CLAIM + cells[0])
        expected = {
            "asserted": CYTO.Asserted,
            "simplified": CYTO.Simplified,
            "disputed": CYTO.Disputed,
            "rejected": CYTO.Rejected,
        }[status_of(cells[-1])]
        assert graph.value(node, CYTO.curationStatus) == expected, cells[0]
        source = graph.value(node, DCTERMS.source)
        assert source == URIRef(f"https://w3id.org/cytokg/source/src-{cells[0][1:4]}"), cells[0]


def test_errata_claims_are_rejected(graph: Graph) -> None:
    for claim in ("C004-29", "C004-30", "C004-31", "C004-40", "C004-59", "C004-06"):
        assert graph.value(URIRef(CLAIM + claim), CYTO.curationStatus) == CYTO.Rejected, claim


def test_rejected_claims_are_not_asserted_as_facts(graph: Graph) -> None:
    il6 = URIRef(PROTEIN + "HGNC_6018")
    neuron = OBO.CL_0000540
    assert (il6, CYTO.producedBy, neuron) not in graph, "E2: neurons are not the main IL-6 source"
    interleukin_on_rtk = graph.query(
        """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
        SELECT ?il ?chain WHERE { ?il a cyto:Interleukin ; cyto:hasReceptor/cyto:hasSubunit ?chain .
                                  ?chain a cyto:ReceptorTyrosineKinase ; cyto:hgncSymbol ?symbol .
                                  FILTER (?symbol != "CSF1R") }"""
    )
    assert not list(interleukin_on_rtk), "E1: only IL-34 (via CSF1R) among interleukins uses an RTK"
    gpcr = graph.query(
        """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
        SELECT DISTINCT ?symbol WHERE { ?il a cyto:Interleukin ; cyto:hgncSymbol ?symbol ;
                                        cyto:hasReceptor/cyto:hasSubunit/a cyto:ChemokineReceptor . }"""
    )
    assert {str(row[0]) for row in result_rows(gpcr)} == {"CXCL8"}, "E1: only IL-8/CXCL8 signals through GPCRs"


def test_no_disjointness_between_inflammatory_roles(graph: Graph) -> None:
    assert not list(graph.triples((None, OWL.disjointWith, None))), "E7: roles are never disjoint classes"


SOURCE = "https://w3id.org/cytokg/source/"
INTERNAL_KEY = re.compile(r"(^|[^A-Za-z0-9])E[0-9]{1,2}([^0-9]|$)|[Ee]rrat|FACTS|§|(^|[^A-Za-z])[AD]?-?C00[0-4]-")


def _citations(graph: Graph, subject: URIRef, predicate: URIRef, obj: URIRef) -> dict[Node, set[Node]]:
    """Each source cited on one fact, with the claims named on that citation."""
    found: dict[Node, set[Node]] = {}
    for axiom in graph.subjects(OWL.annotatedSource, subject):
        if (axiom, OWL.annotatedProperty, predicate) in graph and (axiom, OWL.annotatedTarget, obj) in graph:
            for source in graph.objects(axiom, DCTERMS.source):
                found.setdefault(source, set()).update(graph.objects(axiom, CYTO.citesClaim))
    return found


def test_tocilizumab_treats_ra_cites_source_003(graph: Graph) -> None:
    tocilizumab = URIRef("https://w3id.org/cytokg/drug/DB06273")
    cited = _citations(graph, tocilizumab, CYTO.treats, OBO.MONDO_0008383)
    assert cited[URIRef(SOURCE + "src-003")] == {URIRef(CLAIM + "C003-28")}
    assert URIRef(SOURCE + "cytokg-curation") in cited, "the curators' citation stays"
    assert URIRef(SOURCE + "src-003") in _citations(graph, tocilizumab, CYTO.hasTarget, URIRef(PROTEIN + "HGNC_6019"))


def test_a_citation_from_a_claim_has_author_statement_evidence(graph: Graph) -> None:
    il6, crp = URIRef(PROTEIN + "HGNC_6018"), URIRef(PROTEIN + "HGNC_2367")
    (axiom,) = list(graph.subjects(CYTO.citesClaim, URIRef(CLAIM + "C003-17")))
    assert graph.value(axiom, OWL.annotatedSource) == il6 and graph.value(axiom, OWL.annotatedTarget) == crp
    assert graph.value(axiom, DCTERMS.source) == URIRef(SOURCE + "src-003")
    assert graph.value(axiom, CYTO.evidence) == OBO.ECO_0000302


def test_a_fact_already_citing_the_document_names_the_claim_on_that_citation(graph: Graph) -> None:
    il1b = URIRef(PROTEIN + "HGNC_5992")
    cited = _citations(graph, il1b, CYTO.producedBy, OBO.CL_0000057)
    assert cited == {URIRef(SOURCE + "src-004"): {URIRef(CLAIM + "C004-37")}}, "one citation, not two"


def test_claims_that_cite_facts_are_asserted_or_simplified(graph: Graph) -> None:
    claims = set(graph.objects(None, CYTO.citesClaim))
    assert len(claims) >= 25
    assert {graph.value(c, CYTO.curationStatus) for c in claims} <= {CYTO.Asserted, CYTO.Simplified}


def test_il6_from_neurons_is_rejected_and_corrected_in_words(graph: Graph) -> None:
    claim = URIRef(CLAIM + "C004-40")
    assert graph.value(claim, CYTO.curationStatus) == CYTO.Rejected
    assert str(graph.value(claim, RDFS.label)) == "IL-6 mainly secreted by neuronal cells"
    assert set(graph.objects(claim, CYTO.claimAbout)) == {URIRef(PROTEIN + "HGNC_6018"), OBO.CL_0000540}
    correction = graph.value(claim, CYTO.correctedBy)
    text = str(graph.value(correction, CYTO.correction))
    assert "neuronal cells" in text and "macrophages" in text and "not by neurons" in text
    instead = {
        graph.value(axiom, OWL.annotatedTarget)
        for axiom in graph.subjects(CYTO.partOfCorrection, correction)
        if graph.value(axiom, OWL.annotatedProperty) == CYTO.producedBy
    }
    assert OBO.CL_0000235 in instead and OBO.CL_0000540 not in instead


def test_leukocyte_only_interleukins_are_contradicted_by_other_claims(graph: Graph) -> None:
    others = set(graph.objects(URIRef(CLAIM + "C004-06"), CYTO.contradictedBy))
    assert {URIRef(CLAIM + c) for c in ("C001-19", "C001-20", "C004-37", "C004-38")} == others
    assert graph.value(URIRef(CLAIM + "C004-06"), CYTO.correctedBy) == graph.value(
        URIRef(CLAIM + "C004-25"), CYTO.correctedBy
    ), "one correction explains both"


def test_every_claim_not_asserted_as_stated_has_one_correction(graph: Graph) -> None:
    for claim in graph.subjects(CYTO.curationStatus, None):
        corrections = list(graph.objects(claim, CYTO.correctedBy))
        if graph.value(claim, CYTO.curationStatus) != CYTO.Asserted:
            assert len(corrections) == 1, claim


def test_no_claim_or_correction_text_holds_an_internal_key(graph: Graph) -> None:
    texts = [
        str(text)
        for node in [*graph.subjects(RDF.type, CYTO.SourceClaim), *graph.subjects(RDF.type, CYTO.Correction)]
        for prop in (RDFS.label, CYTO.claimText, CYTO.correction, RDFS.comment)
        for text in graph.objects(node, prop)
    ]
    assert len(texts) > 500
    assert [t for t in texts if INTERNAL_KEY.search(t)] == []
    assert INTERNAL_KEY.search("WRONG (E3). Contradicted by 001 C001-19/20"), "the check can fail"


def test_claims_name_specific_entities_but_general_claims_none(graph: Graph) -> None:
    about = set(graph.objects(URIRef(CLAIM + "C003-28"), CYTO.claimAbout))
    assert about == {URIRef("https://w3id.org/cytokg/drug/DB06273"), OBO.MONDO_0008383}
    assert not list(graph.objects(URIRef(CLAIM + "C001-05"), CYTO.claimAbout)), "excess cytokines: no one entity"
