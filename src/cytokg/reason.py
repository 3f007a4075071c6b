"""Reasoning: HermiT (through owlready2) for consistency and classification, owlrl for OWL 2 RL."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from .children import owlready2_children_die_with_us
from .namespaces import BASE, RDF

__all__ = ["ReasonerResult", "java_available", "materialise_rl", "run_hermit"]


@dataclass
class ReasonerResult:
    """HermiT's verdict and the class memberships it inferred beyond the asserted ones."""

    consistent: bool
    unsatisfiable: list[str]
    inferred_types: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    message: str = ""

    def inferred_graph(self) -> Graph:
        """The inferred memberships as ``rdf:type`` triples."""
        graph = Graph()
        for individual, cls in self.inferred_types:
            graph.add((individual, RDF.type, cls))
        return graph


def java_available() -> bool:
    """Whether a ``java`` executable is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def _asserted_named_types(graph: Graph) -> set[tuple[Node, Node]]:
    return {(s, o) for s, o in graph.subject_objects(RDF.type) if isinstance(o, URIRef)}


def run_hermit(owl_file: Path, graph: Graph) -> ReasonerResult:
    """Run HermiT on ``owl_file`` (RDF/XML of ``graph``); report consistency and inferences.

    Only memberships of CytoKG individuals in CytoKG classes are reported as inferred.
    """
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(owl_file.resolve().as_uri()).load()
    try:
        with ontology, owlready2_children_die_with_us():
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:
        return ReasonerResult(False, [], message=str(error).splitlines()[0] if str(error) else "inconsistent")
    unsatisfiable = sorted(cls.iri for cls in world.inconsistent_classes() if cls.iri.startswith(BASE))
    asserted = _asserted_named_types(graph)
    inferred: set[tuple[URIRef, URIRef]] = set()
    for individual in world.individuals():
        if not individual.iri.startswith(BASE):
            continue
        for cls in individual.INDIRECT_is_a:
            iri = getattr(cls, "iri", None)
            if not iri or not iri.startswith(BASE):
                continue
            pair = (URIRef(individual.iri), URIRef(iri))
            if pair not in asserted:
                inferred.add(pair)
    return ReasonerResult(True, unsatisfiable, inferred)


def materialise_rl(graph: Graph) -> Graph:
    """The OWL 2 RL closure of ``graph`` (owlrl), for users who want inferred triples."""
    import owlrl

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(closure)
    return closure
