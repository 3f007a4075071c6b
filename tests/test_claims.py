"""Every claim of the curation record is in the graph with its source and status; rejected claims are not facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

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
    from rdflib.namespace import OWL

    assert not list(graph.triples((None, OWL.disjointWith, None))), "E7: roles are never disjoint classes"
