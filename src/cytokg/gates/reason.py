"""Reasoning: HermiT for consistency and the class memberships it entails, owlrl for OWL 2 RL."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from cytokg.namespaces import BASE, CYTO, OWL, RDF, RDFS
from cytokg.owlapi import run_java_tool

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
    """Whether a JDK (``java`` and ``javac``) is on the PATH: HermiT runs in a small program compiled on first use."""
    return shutil.which("java") is not None and shutil.which("javac") is not None


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


def _hermit_jar() -> Path:
    """The HermiT jar that owlready2 ships (with the OWL API 3 it was built against)."""
    spec = find_spec("owlready2")
    assert spec is not None and spec.submodule_search_locations is not None, "owlready2 is a dependency"
    return Path(next(iter(spec.submodule_search_locations))) / "hermit" / "HermiT.jar"


def run_hermit(owl_file: Path, graph: Graph, realise: bool = False) -> ReasonerResult:
    """Run HermiT on ``owl_file`` (RDF/XML of ``graph``); report consistency and the memberships it entails.

    Only memberships of declared CytoKG individuals in CytoKG classes are reported, less those ``graph`` asserts.
    HermiT answers just these questions (``java/HermitMemberships.java``); with ``realise`` it classifies and
    realises the whole ontology first, which must give the same answer (far slower: the tests' reference).
    """
    args = [str(owl_file.resolve()), BASE] + (["--realise"] if realise else [])
    done = run_java_tool("HermitMemberships", str(_hermit_jar()), args)
    if done.returncode != 0:
        raise RuntimeError(f"HermiT failed on {owl_file}: {done.stderr.strip()[-2000:]}")
    lines = done.stdout.splitlines()
    if lines == ["inconsistent"]:  # HermiT only says "inconsistent"; name the clashing individuals ourselves
        return ReasonerResult(False, [], clashes=find_clashes(graph))
    asserted = _asserted_named_types(graph)
    unsatisfiable: list[str] = []
    inferred: set[tuple[URIRef, URIRef]] = set()
    for line in lines:
        kind, *iris = line.split("\t")
        if kind == "unsatisfiable":
            unsatisfiable.append(iris[0])
        elif kind == "member" and (pair := (URIRef(iris[0]), URIRef(iris[1]))) not in asserted:
            inferred.add(pair)
    return ReasonerResult(True, sorted(unsatisfiable), inferred)


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

    HermiT reports an inconsistent ontology without an explanation; these are the usual causes.
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
