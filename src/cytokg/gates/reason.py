"""Reasoning: HermiT (through owlready2) for consistency and classification, owlrl for OWL 2 RL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from cytokg.children import owlready2_children_die_with_us
from cytokg.namespaces import BASE, CYTO, OWL, RDF, RDFS

__all__ = ["ReasonerResult", "find_clashes", "java_available", "logical_axioms", "materialise_rl", "run_hermit"]

#: OWL 2's built-in annotation properties (Structural Specification, section 5.5).
_BUILT_IN_ANNOTATIONS = frozenset(
    {
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.deprecated,
        OWL.versionInfo,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    }
)


@dataclass
class ReasonerResult:
    """HermiT's verdict and the class memberships it inferred beyond the asserted ones."""

    consistent: bool
    unsatisfiable: list[str]
    inferred_types: set[tuple[URIRef, URIRef]] = field(default_factory=set)
    clashes: list[str] = field(default_factory=list)

    def inferred_graph(self) -> Graph:
        """The inferred memberships as ``rdf:type`` triples."""
        graph = Graph()
        for individual, cls in self.inferred_types:
            graph.add((individual, RDF.type, cls))
        return graph


def java_available() -> bool:
    """Whether a ``java`` executable is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def logical_axioms(graph: Graph) -> Graph:
    """``graph`` without its annotations, which the OWL 2 Direct Semantics (HermiT's) ignore: 80% of CytoKG's triples.

    Dropped: annotation assertions whose value is an IRI or a literal, and every triple of a reified axiom or
    annotation (``owl:Axiom``, ``owl:Annotation``); declarations, class axioms and facts are all kept.
    """
    logical = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = (set(graph.subjects(RDF.type, OWL.AnnotationProperty)) - logical) | _BUILT_IN_ANNOTATIONS
    reified = set(graph.subjects(RDF.type, OWL.Axiom)) | set(graph.subjects(RDF.type, OWL.Annotation))
    kept = Graph()
    for s, p, o in graph:
        if s not in reified and not (p in annotations and not isinstance(o, BNode)):
            kept.add((s, p, o))
    return kept


def _asserted_named_types(graph: Graph) -> set[tuple[Node, Node]]:
    return {(s, o) for s, o in graph.subject_objects(RDF.type) if isinstance(o, URIRef)}


#: The JVM's serial collector: on two shared cores HermiT spends less CPU and a third of the memory.
JAVA_OPTIONS = "-XX:+UseSerialGC"


@contextmanager
def _serial_gc() -> Iterator[None]:
    """While the block runs, the JVMs owlready2 starts use :data:`JAVA_OPTIONS` (through its subprocess options)."""
    from owlready2 import reasoning

    options = reasoning._subprocess_kargs
    wanted = " ".join(filter(None, (os.environ.get("JAVA_TOOL_OPTIONS"), JAVA_OPTIONS)))
    options["env"] = {**os.environ, "JAVA_TOOL_OPTIONS": wanted}
    try:
        yield
    finally:
        options.pop("env", None)


def run_hermit(owl_file: Path, graph: Graph) -> ReasonerResult:
    """Run HermiT on ``owl_file`` (RDF/XML of ``graph``); report consistency and inferences.

    Only memberships of CytoKG individuals in CytoKG classes are reported as inferred.
    """
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(owl_file.resolve().as_uri()).load()
    try:
        with ontology, owlready2_children_die_with_us(), _serial_gc():
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:
        del error  # HermiT only says "inconsistent"; name the clashing individuals ourselves
        return ReasonerResult(False, [], clashes=find_clashes(graph))
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


def _superclasses(graph: Graph) -> dict[Node, set[Node]]:
    """Each named class with all its named superclasses (``rdfs:subClassOf``, named ``owl:equivalentClass``)."""
    parents: dict[Node, set[Node]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        parents.setdefault(sub, set()).add(sup)
    for one, other in graph.subject_objects(OWL.equivalentClass):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            parents.setdefault(one, set()).add(other)
            parents.setdefault(other, set()).add(one)
    closure: dict[Node, set[Node]] = {}
    for cls in parents:
        seen: set[Node] = set()
        todo = [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[cls] = seen
    return closure


def _disjoint_pairs(graph: Graph) -> set[tuple[Node, Node]]:
    pairs = {(a, b) for a, b in graph.subject_objects(OWL.disjointWith)}
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(group, OWL.members)
        members = list(Collection(graph, head)) if head is not None else []
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    for _, union in graph.subject_objects(OWL.disjointUnionOf):
        members = list(Collection(graph, union))
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    return pairs


def _types(graph: Graph) -> dict[Node, set[Node]]:
    """Each individual's named classes: asserted, from property domains and ranges, and their superclasses."""
    types: dict[Node, set[Node]] = {}
    for individual, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and not str(cls).startswith(str(OWL)):
            types.setdefault(individual, set()).add(cls)
    logical = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    for prop, domain in graph.subject_objects(RDFS.domain):
        for individual in graph.subjects(prop, None) if prop in logical else ():
            types.setdefault(individual, set()).add(domain)
    for prop, range_ in graph.subject_objects(RDFS.range):
        for value in graph.objects(None, prop) if prop in logical else ():
            if isinstance(value, URIRef):
                types.setdefault(value, set()).add(range_)
    closure = _superclasses(graph)
    return {ind: direct | {sup for cls in direct for sup in closure.get(cls, ())} for ind, direct in types.items()}


_NO_CLASH = (
    "no individual is in two disjoint classes; the contradiction lies elsewhere (fix: load the release with "
    "ontology/cytokg-edit.ttl in Protégé and use HermiT's 'Explain inconsistency')"
)


def find_clashes(graph: Graph, limit: int = 20) -> list[str]:
    """Name the individuals that belong to two disjoint classes (or to owl:Nothing), one line each with a fix.

    HermiT through owlready2 reports an inconsistent ontology without an explanation; these are the usual causes.
    """
    names = graph.namespace_manager
    pairs = _disjoint_pairs(graph)
    lines = []
    for individual, classes in sorted(_types(graph).items()):
        label = graph.value(individual, CYTO.hgncSymbol) or graph.value(individual, RDFS.label)
        who = names.normalizeUri(individual) if isinstance(individual, URIRef) else str(individual)
        who += f" ({label})" if label else ""
        if OWL.Nothing in classes:
            lines.append(f"{who} is an owl:Nothing (fix: remove the membership that makes it one)")
        for one, other in sorted(pairs):
            if one in classes and other in classes:
                lines.append(
                    f"{who} is both {names.normalizeUri(str(one))} and {names.normalizeUri(str(other))}, "
                    "which are disjoint "
                    "(fix: remove one membership in ontology/data/*.tsv, or the disjointness in cytokg-edit.ttl)"
                )
    if not lines:
        return [_NO_CLASH]
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])


def materialise_rl(graph: Graph) -> Graph:
    """The OWL 2 RL closure of ``graph`` (owlrl), for users who want inferred triples."""
    import owlrl

    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(closure)
    return closure
