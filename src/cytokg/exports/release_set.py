"""The ODK-style release set: every file with its own ontology IRI and dated version IRI.

=====================  ===========================================================================================
``cytokg.owl``         the full release: TBox, instance data, mappings and HermiT's inferred memberships
``cytokg-base.owl``    CytoKG's own axioms only; external terms declared, their axioms left to their ontologies
``cytokg-ontology.owl``  the TBox
``cytokg.obo``         the TBox in OBO 1.4 (the OWL API's writer)
``cytokg.ttl/.nt/.jsonld``  the full release in other syntaxes
=====================  ===========================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from cytokg.exports.obo import export_obo
from cytokg.namespaces import BASE, ONTOLOGY_IRI, OWL, RDF, RDFS, bind_prefixes
from cytokg.owlapi import owlapi_available
from cytokg.release import BASE_FILE, FULL_FILES, OBO_FILE, TBOX_FILE
from cytokg.serialize import canonical_ntriples, write_graph, write_ntriples_as

__all__ = [
    "MODULE_TYPE",
    "base_graph",
    "file_iri",
    "titled",
    "version_iri",
    "write_full_set",
    "write_ontology_set",
]

#: Dublin Core's ``type`` (elements), with which ODK names the kind of module an ontology file is.
MODULE_TYPE = URIRef("http://purl.org/dc/elements/1.1/type")
#: IAO's "main release ontology module" and "base ontology module" (RO's release carries both).
_MAIN_MODULE = URIRef("http://purl.obolibrary.org/obo/IAO_8000003")
_BASE_MODULE = URIRef("http://purl.obolibrary.org/obo/IAO_8000001")
#: What a declaration of an external term may say it is.
#: The full release's OWL file, which the OWL 2 DL gate reads.
OWL_FULL = FULL_FILES[0]
_DECLARATIONS = frozenset(
    {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual, RDFS.Datatype}
)


def file_iri(name: str) -> URIRef:
    """The ontology IRI of a release file.

    >>> file_iri("cytokg-base.owl")
    rdflib.term.URIRef('https://w3id.org/cytokg/cytokg-base.owl')
    """
    return URIRef(BASE + name)


def version_iri(name: str, release_date: str) -> URIRef:
    """The dated version IRI of a release file.

    >>> version_iri("cytokg.ttl", "2026-11-21")
    rdflib.term.URIRef('https://w3id.org/cytokg/releases/2026-11-21/cytokg.ttl')
    """
    return URIRef(f"{BASE}releases/{release_date}/{name}")


def titled(graph: Graph, name: str, release_date: str, module: URIRef | None = None) -> Graph:
    """A copy of ``graph`` whose ontology header names the file ``name``: its IRI, version IRI and module type."""
    copy = bind_prefixes(Graph())
    own = file_iri(name)
    for s, p, o in graph:
        if s == ONTOLOGY_IRI:
            if p != OWL.versionIRI:
                copy.add((own, p, o))
        else:
            copy.add((s, p, o))
    copy.add((own, OWL.versionIRI, version_iri(name, release_date)))
    if module is not None:
        copy.add((MODULE_TYPE, RDF.type, OWL.AnnotationProperty))
        copy.add((own, MODULE_TYPE, module))
    return copy


def _own(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BASE)


def _with_blank_nodes(graph: Graph, kept: Graph, todo: Iterable[Node]) -> None:
    """Add to ``kept`` every triple of the blank nodes in ``todo`` and of the blank nodes they reach."""
    stack = [node for node in todo if isinstance(node, BNode)]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in graph.triples((node, None, None)):
            kept.add((node, p, o))
            if isinstance(o, BNode):
                stack.append(o)


def base_graph(full: Graph) -> Graph:
    """CytoKG's own axioms: every statement about a CytoKG IRI, with the blank nodes it uses.

    Statements about external terms (their labels, parents, definitions) are left to their ontologies; the
    external terms CytoKG's axioms use keep their declarations, so the file parses as OWL 2 DL on its own.
    """
    kept = bind_prefixes(Graph())
    objects = set(full.objects())
    for s, p, o in full:
        if _own(s):
            kept.add((s, p, o))
    _with_blank_nodes(full, kept, list(kept.objects()))
    for root in {s for s in full.subjects() if isinstance(s, BNode) and s not in objects}:
        source = full.value(root, OWL.annotatedSource)
        # an annotated axiom belongs to its subject; a disjointness (or any other) to the base if it names our terms
        if _own(source) if source is not None else _reaches_own(full, root):
            _with_blank_nodes(full, kept, [root])
    used = {node for triple in kept for node in triple if isinstance(node, URIRef) and not _own(node)}
    for term in used:
        for kind in full.objects(term, RDF.type):
            if kind in _DECLARATIONS:
                kept.add((term, RDF.type, kind))
    return kept


def _reaches_own(graph: Graph, start: BNode) -> bool:
    """Whether a CytoKG IRI is named by the blank node ``start`` or the blank nodes (and RDF lists) it reaches."""
    stack: list[Node] = [start]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, _, o in graph.triples((node, None, None)):
            if _own(o):
                return True
            if isinstance(o, BNode):
                stack.append(o)
    return False


def write_ontology_set(
    full: Graph, tbox: Graph, folder: Path, release_date: str, progress: Callable[[str], None]
) -> None:
    """Write the files that need no reasoning: the base module, the TBox and (where the OWL API is) its OBO."""
    progress(f"writing {BASE_FILE}")
    base = base_graph(full)
    header = Graph()
    for triple in base.triples((ONTOLOGY_IRI, None, None)):
        header.add(triple)
    subject = f"{ONTOLOGY_IRI.n3()} "
    body = [line for line in canonical_ntriples(base).decode("utf-8").splitlines() if not line.startswith(subject)]
    write_ntriples_as(_titled_ntriples(body, header, BASE_FILE, release_date, _BASE_MODULE), folder / BASE_FILE)
    progress(f"writing {TBOX_FILE}")
    write_graph(titled(tbox, TBOX_FILE, release_date), folder / TBOX_FILE)
    if owlapi_available():
        progress(f"writing {OBO_FILE}")
        export_obo(folder / TBOX_FILE, folder / OBO_FILE)


def _titled_ntriples(body: list[str], header: Graph, name: str, release_date: str, module: URIRef) -> bytes:
    """``canonical_ntriples(titled(graph, name, …))`` from the graph's other lines, titling only its header."""
    lines = set(body)
    lines.update(canonical_ntriples(titled(header, name, release_date, module)).decode("utf-8").splitlines())
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def write_full_set(
    asserted: bytes,
    inferred: bytes,
    folder: Path,
    release_date: str,
    progress: Callable[[str], None],
    owl_written: Callable[[], None],
) -> None:
    """Write the full release (asserted plus inferred) in every syntax; call ``owl_written`` once its OWL file is.

    ``asserted`` and ``inferred`` are canonical N-Triples (:func:`canonical_ntriples`); each file's copy of their
    union differs only in its ontology header.
    """
    subject = f"{ONTOLOGY_IRI.n3()} "
    lines = set(asserted.decode("utf-8").splitlines()) | set(inferred.decode("utf-8").splitlines())
    header = Graph().parse(data="\n".join(line for line in lines if line.startswith(subject)), format="nt")
    body = [line for line in lines if line.strip() and not line.startswith(subject)]
    for name in FULL_FILES:
        progress(f"writing {name}")
        write_ntriples_as(_titled_ntriples(body, header, name, release_date, _MAIN_MODULE), folder / name)
        if name == OWL_FULL:
            owl_written()
