"""Validate the graph against the SHACL shapes in ``shapes/`` with pySHACL."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier, Node

from cytokg.errors import InputError
from cytokg.namespaces import BASE, bind_prefixes
from cytokg.reading import parse_turtle_text, read_text

__all__ = ["FIX", "SHAPES_NAMESPACE", "ShaclResult", "Shapes", "load_shapes", "shape_name", "validate"]

#: Where CytoKG's shapes are named (``cshape:``).
SHAPES_NAMESPACE = BASE + "shapes/"

#: What to do about a violation of each SHACL constraint component.
_FIXES: dict[Node | None, str] = {
    SH.MinCountConstraintComponent: "add the missing value",
    SH.MaxCountConstraintComponent: "keep only the allowed number of values",
    SH.PatternConstraintComponent: "correct the value to match the shape's pattern",
    SH.ClassConstraintComponent: "point to an entity of the required class",
    SH.DatatypeConstraintComponent: "give the value the required datatype (or language tag)",
    SH.NodeKindConstraintComponent: "use an identifier (IRI), not text",
    SH.InConstraintComponent: "use one of the values the shape lists",
    SH.OrConstraintComponent: "point to an entity of one of the allowed classes",
    SH.SPARQLConstraintComponent: "add the statement the message asks for",
}
#: A constraint's own fix (``cshape:fix "…"``), which a SPARQL constraint should have.
FIX = URIRef(SHAPES_NAMESPACE + "fix")
#: Which curated file makes each kind of CytoKG entity (the ``<kind>/`` part of its IRI).
_MADE_IN = {
    "protein": "ontology/data/gene_products.tsv and hgnc_genes.tsv",
    "cytokine": "ontology/data/cytokine_complexes.tsv",
    "complex": "ontology/data/receptor_complexes.tsv",
    "form": "ontology/data/protein_forms.tsv",
    "source": "ontology/data/sources.tsv",
    "claim": "ontology/data/source_claims.tsv",
    "association": "ontology/data/disease_associations.tsv",
    "drug": "ontology/data/drugs.tsv",
    "role": "ontology/data/inflammatory_roles.tsv",
    "vocab": "ontology/cytokg-edit.ttl",
}


@dataclass(frozen=True)
class ShaclResult:
    """pySHACL's verdict: violations fail, warnings are reported only."""

    conforms: bool
    violations: list[str]
    warnings: list[str]
    text: str


@dataclass(frozen=True)
class Shapes:
    """The shapes graph and the file each node shape was read from."""

    graph: Graph
    files: dict[Node, Path]


def _line_of(path: Path, graph: Graph, shape: Node) -> int | None:
    """The line that declares ``shape``'s node shape, or for a property shape, the line of its ``sh:path``."""
    owner = _owner(graph, shape)
    name = graph.namespace_manager.normalizeUri(owner) if isinstance(owner, URIRef) else str(owner)
    property_path = graph.value(shape, SH.path) if owner != shape else None
    wanted = None
    if isinstance(property_path, URIRef):
        wanted = f"sh:path {graph.namespace_manager.normalizeUri(property_path)} "
    found = None
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if found is None and line.startswith((name + " ", f"<{name}> ")):
            found = number
            if wanted is None:
                break
        elif found is not None and wanted and wanted in line:
            return number
    return found


def _owner(graph: Graph, shape: Node) -> Node:
    """The named node shape a (blank) property shape belongs to, or ``shape`` itself."""
    for owner in graph.subjects(SH.property, shape):
        return owner
    for owner in graph.subjects(SH.sparql, shape):
        return owner
    return shape


def shape_name(graph: Graph, shape: Node) -> str:
    """A readable name: ``cshape:GeneProductShape`` plus the property path for an anonymous property shape."""
    owner = _owner(graph, shape)
    name = graph.namespace_manager.normalizeUri(owner) if isinstance(owner, URIRef) else str(owner)
    path = graph.value(shape, SH.path)
    if owner != shape and isinstance(path, URIRef):
        return f"{name} property {graph.namespace_manager.normalizeUri(path)}"
    return name


def _check_shapes(shapes: Shapes) -> None:
    """Load every constraint of every node shape now, so a broken shape is reported before the build."""
    from pyparsing import ParseException
    from pyshacl.errors import ReportableRuntimeError
    from pyshacl.pytypes import SHACLExecutor
    from pyshacl.shapes_graph import ShapesGraph

    executor = SHACLExecutor()
    executor.advanced_mode = True
    logger = logging.getLogger("pyshacl")
    level, logger.level = logger.level, logging.CRITICAL + 1
    try:
        for shape in sorted(ShapesGraph(shapes.graph).shapes, key=lambda shape: not shape.is_property_shape):
            shape.set_advanced(True)
            try:  # property shapes first, so the message names the property
                shape.validate(executor, Graph(), focus=BNode())
            except (ReportableRuntimeError, ParseException, re.error) as error:  # load, SPARQL, sh:pattern errors
                path = shapes.files.get(_owner(shapes.graph, shape.node), next(iter(shapes.files.values())))
                name = shape_name(shapes.graph, shape.node)
                reason = (str(error).splitlines() or [type(error).__name__])[0]
                raise InputError(
                    path,
                    _line_of(path, shapes.graph, shape.node),
                    f"shape {name} cannot be used: {reason}",
                    "correct the shape (SHACL: https://www.w3.org/TR/shacl/)",
                ) from None
    finally:
        logger.level = level


def load_shapes(shapes_dir: Path) -> Shapes:
    """All ``*.ttl`` shape files of ``shapes_dir`` in one graph, each node shape named and usable."""
    graph = bind_prefixes(Graph())
    graph.bind("cshape", SHAPES_NAMESPACE)
    files: dict[Node, Path] = {}
    paths = sorted(shapes_dir.glob("*.ttl"))
    if not paths:
        raise InputError(shapes_dir, None, "no SHACL shape files (*.ttl)", "restore shapes/ (git checkout -- shapes)")
    for path in paths:
        part = parse_turtle_text(path, Graph())
        for shape in part.subjects(RDF.type, SH.NodeShape):
            if not isinstance(shape, URIRef):
                raise InputError(path, None, "a node shape has no name", "give it an IRI such as cshape:SomethingShape")
            files[shape] = path
        for triple in part:
            graph.add(triple)
    shapes = Shapes(graph, files)
    _check_shapes(shapes)
    return shapes


def _fix(shapes: Graph, constraint: Node | None, component: Node | None, focus: Node | None) -> str:
    own = shapes.value(constraint, FIX) if constraint is not None else None
    if own:
        return str(own)
    fix = _FIXES.get(component, "change the data so the shape's message holds")
    text = str(focus or "")
    if text.startswith(BASE):
        kind = text.removeprefix(BASE).split("/")[0]
        if kind in _MADE_IN:
            fix += f" in {_MADE_IN[kind]}"
    return fix


def _messages(report: Graph, shapes: Graph, severity: URIRef) -> list[str]:
    lines = []
    for result in report.subjects(SH.resultSeverity, severity):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        name = shape_name(shapes, shape) if shape is not None else "unknown shape"
        constraint = report.value(result, SH.sourceConstraint) or shape
        fix = _fix(shapes, constraint, report.value(result, SH.sourceConstraintComponent), focus)
        lines.append(f"{focus} [{path}] {message} (shape {name}; fix: {fix})")
    return sorted(lines)


class _PreparedQueries(Graph):
    """A view of a graph's store that parses each SPARQL text once (pySHACL sends one per focus node)."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
        self._prepared: dict[tuple[str, str | None], Query] = {}

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's names
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        """:meth:`rdflib.Graph.query`, with a text query translated once and then reused as a prepared query."""
        if isinstance(query_object, str) and processor == "sparql":
            base = kwargs.get("base")
            key = (query_object, base)
            if key not in self._prepared:
                namespaces = initNs if initNs is not None else dict(self.namespaces())
                self._prepared[key] = translateQuery(parseQuery(query_object), base, namespaces)
            query_object = self._prepared[key]
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def validate(data: Graph, shapes_dir: Path, own_copy: bool = False) -> ShaclResult:
    """Validate ``data`` (asserted graph plus reasoner-inferred types) against the shapes.

    With ``own_copy`` (the caller's graph is a copy only this validation uses, e.g. in a forked child),
    pySHACL works on it in place instead of cloning it first.
    """
    from pyshacl import validate as pyshacl_validate

    shapes = load_shapes(shapes_dir)
    _, report, text = pyshacl_validate(
        _PreparedQueries(data) if own_copy else data,
        shacl_graph=shapes.graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=own_copy,
    )
    if not isinstance(report, Graph):  # pySHACL returns a ValidationFailure for broken shapes
        raise InputError(shapes_dir, None, f"SHACL shapes could not be used: {report}", "fix the shapes")
    violations = _messages(report, shapes.graph, SH.Violation)
    return ShaclResult(not violations, violations, _messages(report, shapes.graph, SH.Warning), str(text))
