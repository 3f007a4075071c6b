"""HermiT fills the defined classes from the facts; none of these memberships is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from cytokg.gates.reason import logical_axioms, run_hermit
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS
from cytokg.release import ASSERTED_TRIPLES, INFERRED_TYPES
from cytokg.serialize import write_graph

EXPECTED = [
    ("HGNC_5966", CYTO.GP130FamilyCytokine),  # IL11
    ("HGNC_8506", CYTO.GP130FamilyCytokine),  # OSM
    ("HGNC_6018", CYTO.GP130FamilyCytokine),  # IL6
    ("HGNC_6001", CYTO.CommonGammaChainCytokine),  # IL2
    ("HGNC_6005", CYTO.CommonGammaChainCytokine),  # IL21
    ("HGNC_2434", CYTO.BetaCommonCytokine),  # CSF2 (GM-CSF)
    ("HGNC_6018", CYTO.TransSignalingCapableCytokine),  # IL6 via sIL-6R
    ("HGNC_6018", CYTO.JAKSTATSignalingCytokine),
    ("HGNC_6001", CYTO.Lymphokine),  # IL-2 from T cells
    ("HGNC_5992", CYTO.Monokine),  # IL-1 beta from monocytes
]


@pytest.fixture(scope="module")
def reasoned(built: Path) -> tuple[Graph, set[tuple[URIRef, URIRef]]]:
    """The asserted graph, and the memberships HermiT inferred from its logical axioms in the shared build's
    reasoning gate (the release's full files also carry them)."""
    graph = Graph().parse(built / ASSERTED_TRIPLES, format="nt")
    inferred = Graph().parse(built / INFERRED_TYPES, format="nt")
    pairs = {(s, o) for s, o in inferred.subject_objects(RDF.type) if isinstance(s, URIRef) and isinstance(o, URIRef)}
    assert len(pairs) == len(inferred), "only memberships of named individuals in named classes are inferred"
    return graph, pairs


def test_logical_axioms_drop_annotations_only() -> None:
    ns = "https://w3id.org/cytokg/"
    il6, receptor, axiom = URIRef(ns + "protein/HGNC_6018"), URIRef(ns + "protein/HGNC_6019"), BNode()
    graph = Graph()
    kept = {
        (DCTERMS.source, RDF.type, OWL.AnnotationProperty),
        (CYTO.hasReceptor, RDF.type, OWL.ObjectProperty),
        (il6, RDF.type, CYTO.Cytokine),
        (il6, CYTO.hasReceptor, receptor),
    }
    dropped = {
        (il6, RDFS.label, Literal("IL-6")),
        (il6, DCTERMS.source, URIRef(ns + "source/src-000")),
        (axiom, RDF.type, OWL.Axiom),
        (axiom, OWL.annotatedSource, il6),
        (axiom, DCTERMS.source, URIRef(ns + "source/src-000")),
    }
    for triple in kept | dropped:
        graph.add(triple)
    assert set(logical_axioms(graph)) == kept


def test_hermit_infers_the_same_from_the_logical_axioms(
    reasoned: tuple[Graph, set[tuple[URIRef, URIRef]]], tmp_path: Path
) -> None:
    """HermiT on the whole asserted graph infers what the build's gate inferred from its logical axioms alone."""
    graph, inferred = reasoned
    owl = tmp_path / "asserted.owl"
    write_graph(graph, owl)
    result = run_hermit(owl, graph)
    assert result.consistent and not result.unsatisfiable
    assert result.inferred_types == inferred


#: A small ontology with what makes HermiT's answers non-trivial in CytoKG's TBox: defined classes over nominals
#: (owl:hasValue, owl:oneOf), a property range, named equivalence, an undeclared individual, a non-CytoKG class and
#: an unsatisfiable class.
SMALL = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix v: <https://w3id.org/cytokg/vocab/> .
@prefix p: <https://w3id.org/cytokg/protein/> .
@prefix d: <https://w3id.org/cytokg/drug/> .
@prefix ext: <http://example.org/> .
v:hasReceptor a owl:ObjectProperty ; rdfs:range v:Receptor .
v:hasSubunit a owl:ObjectProperty .
v:hasMechanism a owl:ObjectProperty .
v:Cytokine a owl:Class .  v:Receptor a owl:Class ; rdfs:subClassOf v:Protein .  v:Protein a owl:Class .
v:Drug a owl:Class .  v:Mechanism a owl:Class .  ext:Thing a owl:Class .
v:Gp130Cytokine a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( v:Cytokine
    [ a owl:Restriction ; owl:onProperty v:hasReceptor ;
      owl:someValuesFrom [ a owl:Restriction ; owl:onProperty v:hasSubunit ; owl:hasValue p:gp130 ] ] ) ] .
v:SignalingCytokine a owl:Class ; owl:equivalentClass v:Gp130Cytokine .
v:Blocker a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( v:Drug
    [ a owl:Restriction ; owl:onProperty v:hasMechanism ;
      owl:someValuesFrom [ a owl:Class ; owl:oneOf ( d:Neutralising d:ReceptorBlocking ) ] ] ) ] .
v:A a owl:Class .  v:B a owl:Class ; owl:disjointWith v:A .
v:Impossible a owl:Class ; rdfs:subClassOf v:A , v:B .
p:IL6 a owl:NamedIndividual , v:Cytokine ; v:hasReceptor p:IL6R .
p:IL6R a owl:NamedIndividual , ext:Thing ; v:hasSubunit p:gp130 .
p:gp130 a owl:NamedIndividual , v:Protein .
p:TNF a owl:NamedIndividual , v:Cytokine ; v:hasReceptor p:TNFR1 .
p:TNFR1 a owl:NamedIndividual , v:Receptor .
p:Undeclared a v:Cytokine ; v:hasReceptor p:IL6R .
d:mab a owl:NamedIndividual , v:Drug ; v:hasMechanism d:Neutralising .
d:Neutralising a owl:NamedIndividual , v:Mechanism .  d:ReceptorBlocking a owl:NamedIndividual , v:Mechanism .
"""


def _small(tmp_path: Path, extra: str = "") -> tuple[Path, Graph]:
    graph = Graph().parse(data=SMALL + extra, format="turtle")
    owl = tmp_path / "small.owl"
    write_graph(graph, owl)
    return owl, graph


@pytest.mark.java
def test_hermit_answers_only_what_it_entails(tmp_path: Path) -> None:
    owl, graph = _small(tmp_path)
    result = run_hermit(owl, graph)
    v, p = "https://w3id.org/cytokg/vocab/", "https://w3id.org/cytokg/protein/"
    assert result.consistent
    assert result.unsatisfiable == [v + "Impossible"]
    assert result.inferred_types == {
        (URIRef(p + "IL6"), URIRef(v + "Gp130Cytokine")),
        (URIRef(p + "IL6"), URIRef(v + "SignalingCytokine")),
        (URIRef(p + "IL6R"), URIRef(v + "Receptor")),
        (URIRef(p + "IL6R"), URIRef(v + "Protein")),
        (URIRef(p + "TNFR1"), URIRef(v + "Protein")),
        (URIRef("https://w3id.org/cytokg/drug/mab"), URIRef(v + "Blocker")),
    }


@pytest.mark.java
def test_hermit_answers_as_its_full_classification_and_realisation(tmp_path: Path) -> None:
    """The gate asks HermiT only for members and unsatisfiable classes; classifying everything first agrees."""
    owl, graph = _small(tmp_path)
    assert run_hermit(owl, graph) == run_hermit(owl, graph, realise=True)


@pytest.mark.java
def test_hermit_inconsistency_names_the_clash(tmp_path: Path) -> None:
    owl, graph = _small(tmp_path, "p:TNF a v:A , v:B .")
    result = run_hermit(owl, graph)
    assert not result.consistent and not result.inferred_types
    assert [clash.split(" (fix")[0] for clash in result.clashes] == ["p:TNF is both v:B and v:A, which are disjoint"]


@pytest.mark.parametrize(("key", "cls"), EXPECTED)
def test_defined_class_is_inferred_not_asserted(
    reasoned: tuple[Graph, set[tuple[URIRef, URIRef]]], key: str, cls: URIRef
) -> None:
    graph, inferred = reasoned
    individual = URIRef(f"https://w3id.org/cytokg/protein/{key}")
    assert (individual, RDF.type, cls) not in graph, "must not be asserted"
    assert (individual, cls) in inferred


def test_no_false_family(reasoned: tuple[Graph, set[tuple[URIRef, URIRef]]]) -> None:
    _, inferred = reasoned
    tnf = URIRef("https://w3id.org/cytokg/protein/HGNC_11892")
    assert (tnf, CYTO.GP130FamilyCytokine) not in inferred
    assert (tnf, CYTO.JAKSTATSignalingCytokine) not in inferred
    il10 = URIRef("https://w3id.org/cytokg/protein/HGNC_5962")
    assert (il10, CYTO.CommonGammaChainCytokine) not in inferred


@pytest.mark.parametrize(
    ("drug", "strategy"),
    [
        ("DB08895", CYTO.InhibitorOfSignalTransduction),  # tofacitinib, a JAK inhibitor
        ("DB06273", CYTO.InhibitorOfCytokineAction),  # tocilizumab, IL-6R-blocking antibody
        ("DB00005", CYTO.InhibitorOfCytokineAction),  # etanercept, soluble decoy receptor
        ("DB00026", CYTO.SuppressiveCytokineTherapy),  # anakinra, recombinant IL-1Ra
    ],
)
def test_treatment_strategy_is_inferred(
    reasoned: tuple[Graph, set[tuple[URIRef, URIRef]]], drug: str, strategy: URIRef
) -> None:
    graph, inferred = reasoned
    node = URIRef(f"https://w3id.org/cytokg/drug/{drug}")
    assert (node, RDF.type, strategy) not in graph, "strategies are defined classes, never asserted"
    assert (node, strategy) in inferred


def test_owl_rl_materialisation_infers_types() -> None:
    from rdflib import Literal
    from rdflib.namespace import RDFS

    from cytokg.gates.reason import materialise_rl

    graph = Graph()
    il6 = URIRef("https://w3id.org/cytokg/protein/HGNC_6018")
    graph.add((CYTO.Interleukin, RDFS.subClassOf, CYTO.Cytokine))
    graph.add((il6, RDF.type, CYTO.Interleukin))
    graph.add((il6, RDFS.label, Literal("interleukin 6")))
    closure = materialise_rl(graph)
    assert (il6, RDF.type, CYTO.Cytokine) in closure
    assert (il6, RDF.type, CYTO.Cytokine) not in graph
