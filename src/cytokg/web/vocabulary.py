"""``/vocabulary``: CytoKG's classes and properties as the ontology defines them, each with a real example,
the prefixes, a diagram of the model, and the formats ``/sparql`` answers in.

The tables come from the release's statistics (``statistics.py``: the build answers the fixed queries of
``vocabulary_queries.py`` once per release); the page is assembled on its first request and kept.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from flask import Blueprint, current_app, render_template

from cytokg.namespaces import CYTO, OBO, OWL, PREFIXES
from cytokg.sparql.formats import FORMATS, Format
from cytokg.statistics import Rows, Statistics
from cytokg.vocabulary_queries import SEPARATOR
from cytokg.web.context import site
from cytokg.web.model_svg import Edge, model_svg
from cytokg.web.pages import local_path

__all__ = ["Model", "VocabularyTerm", "build_model", "curie", "example_properties", "vocabulary"]

vocabulary = Blueprint("vocabulary", __name__)

#: What an OBO ontology's terms are, in the diagram.
_ONTOLOGIES = {
    "CL": "cell type (CL)",
    "MONDO": "disease (MONDO)",
    "GO": "biological process (GO)",
    "UBERON": "anatomical entity (UBERON)",
    "CHEBI": "chemical entity (ChEBI)",
    "ECO": "evidence (ECO)",
}
_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "relation",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "value",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation",
}


@dataclass
class VocabularyTerm:
    """A class or property: its CURIE, label, definition, domains, ranges, parents and one example."""

    iri: str
    curie: str
    kind: str
    label: str = ""
    definition: str = ""
    domains: set[str] = field(default_factory=set)
    ranges: set[str] = field(default_factory=set)
    parents: set[str] = field(default_factory=set)
    example: tuple[tuple[str, str | None], ...] = ()  # (text, local link) parts
    count: int = 0
    queries: list[tuple[str, str]] = field(default_factory=list)  # (example query name, title)


@dataclass
class Model:
    """What the page shows: the terms by kind, the diagram, the prefixes and the formats."""

    classes: list[VocabularyTerm]
    properties: list[VocabularyTerm]
    svg: str
    diagram_properties: set[str]
    prefixes: dict[str, str]
    formats: tuple[Format, ...]


def curie(iri: str) -> str:
    """``cyto:hasReceptor`` for its IRI (the longest matching prefix wins).

    >>> curie("https://w3id.org/cytokg/vocab/hasReceptor"), curie("urn:x")
    ('cyto:hasReceptor', 'urn:x')
    """
    best = max((n for n in PREFIXES.values() if iri.startswith(n)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, n in PREFIXES.items() if n == best)
    return f"{prefix}:{iri[len(best) :]}"


def example_properties(examples_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Each ``cyto:`` or ``obo:RO_`` term an example query uses → the (file name, title) of the queries using it."""
    from cytokg.queries import read_header

    used: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in sorted(examples_dir.glob("*.rq")):
        title = read_header(path).get("title", path.stem)
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        for prefix, name in sorted(set(re.findall(r"\b(cyto|obo):(RO_\d+|\w+)", code))):
            used[f"{CYTO if prefix == 'cyto' else OBO}{name}"].append((path.stem, title))
    return used


def _name(iri: str, labels: dict[str, str]) -> str:
    if iri.startswith(str(OBO)) and iri[len(str(OBO)) :] in _ONTOLOGIES:
        return _ONTOLOGIES[iri[len(str(OBO)) :]]
    return labels.get(iri) or curie(iri)


def _usage(terms: dict[str, VocabularyTerm], usage: Rows) -> dict[str, tuple[str, str]]:
    """Each open object property → its most used (subject class, object class), the broadest classes on ties."""
    members = Counter({iri: term.count for iri, term in terms.items()})
    best: dict[str, tuple[int, int, int, str, str]] = {}
    for prop, source, target, n in usage:
        key = (int(n), members[source], members[target], source, target)
        if prop not in best or key > best[prop]:
            best[prop] = key
    return {prop: (key[3], key[4]) for prop, key in best.items()}


def _edges(properties: list[VocabularyTerm], labels: dict[str, str], used: dict[str, tuple[str, str]]) -> list[Edge]:
    """An arrow per object property (declared domain and range, else the classes it is used between) and per
    annotation property used between classes."""
    edges = []
    for term in properties:
        if term.kind not in ("relation", "annotation"):  # class-valued links are annotation properties
            continue
        observed = used.get(term.iri)
        # An object property used only in OWL restrictions links anything (owl:Thing), as OWL reads it.
        unset = str(OWL.Thing) if term.kind == "relation" else None
        source = min(term.domains) if term.domains else observed[0] if observed else unset
        target = min(term.ranges) if term.ranges else observed[1] if observed else unset
        if source and target:
            edges.append(Edge(_name(source, labels), term.curie, _name(target, labels), f"#{term.curie}"))
    return sorted(edges, key=lambda e: (e.source, e.name, e.target))


def build_model(statistics: Statistics, examples_dir: Path) -> Model:
    """Assemble the vocabulary from the release's tables and the example queries in ``examples_dir``."""
    tables = statistics.tables
    terms: dict[str, VocabularyTerm] = {}
    for iri, kind, label, definition, domain, range_, parent in tables["terms"]:
        term = terms.setdefault(iri, VocabularyTerm(iri, curie(iri), _KINDS[kind]))
        term.label, term.definition = label or term.label, definition or term.definition
        for values, value in ((term.domains, domain), (term.ranges, range_), (term.parents, parent)):
            if value:
                values.add(value)
    labels = {iri: term.label for iri, term in terms.items() if term.label}
    for cls, example, n in tables["members"]:
        if cls in terms:
            member, label = example.split(SEPARATOR, 1)
            terms[cls].example, terms[cls].count = ((label, local_path(member)),), int(n)
    for prop, s, subject, o, value in tables["statements"]:
        if prop in terms:
            terms[prop].example = (
                (subject, local_path(s)),
                (terms[prop].label or curie(prop), None),
                (value, local_path(o)),
            )
    for iri, queries in example_properties(examples_dir).items():
        if iri in terms:
            terms[iri].queries = queries
    partitions = statistics.partitions
    ordered = sorted(terms.values(), key=lambda t: t.curie.lower())
    properties = [t for t in ordered if t.kind != "class"]
    for term in properties:
        term.count = partitions.properties.get(term.iri, 0)
    edges = _edges(properties, labels, _usage(terms, tables["usage"]))
    return Model(
        [t for t in ordered if t.kind == "class"],
        properties,
        model_svg(edges),
        {edge.name for edge in edges},
        dict(sorted(PREFIXES.items())),
        FORMATS,
    )


@vocabulary.route("/vocabulary")
def page() -> str:
    """The vocabulary page (assembled on the first request, then kept for the app's life)."""
    cached = current_app.extensions.get("cytokg-vocabulary")
    if cached is None:
        cached = current_app.extensions["cytokg-vocabulary"] = build_model(
            site().statistics, site().queries_dir / "examples"
        )
    return render_template("vocabulary.html", model=cast(Model, cached), curie=curie, local_path=local_path)
