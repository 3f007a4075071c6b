"""``/vocabulary``: CytoKG's classes and properties as the ontology defines them, each with a real example,
the prefixes, a diagram of the model, and the formats ``/sparql`` answers in.

Everything is read from the served graph through the app's vetted, time-limited path (fixed query text),
once per app, and kept.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from flask import Blueprint, current_app, render_template

from cytokg.backends.base import Term
from cytokg.namespaces import CYTO, OBO, OWL, PREFIXES
from cytokg.sparql.formats import FORMATS, Format
from cytokg.web.context import site
from cytokg.web.model_svg import Edge, model_svg
from cytokg.web.pages import local_path

__all__ = ["Model", "VocabularyTerm", "build_model", "curie", "example_properties", "vocabulary"]

vocabulary = Blueprint("vocabulary", __name__)

_PREFIX_LINES = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())
#: The separator inside a sampled example (a control character no label contains).
_SEP = "\u001f"


def _own(variable: str) -> str:
    """A filter keeping CytoKG's terms and the OBO Relation Ontology's (``obo:RO_…``) in ``variable``."""
    return f'(STRSTARTS(STR(?{variable}), STR(cyto:)) || STRSTARTS(STR(?{variable}), CONCAT(STR(obo:), "RO_")))'


_TERMS = (
    _PREFIX_LINES
    + """SELECT ?term ?kind ?label ?definition ?domain ?range ?parent WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  ?term a ?kind FILTER"""
    + _own("term")
    + """
  OPTIONAL { ?term rdfs:label ?label }
  OPTIONAL { ?term obo:IAO_0000115 ?definition }
  OPTIONAL { ?term rdfs:domain ?domain FILTER(isIRI(?domain)) }
  OPTIONAL { ?term rdfs:range ?range FILTER(isIRI(?range)) }
  OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf ?parent FILTER(isIRI(?parent)) }
}"""
)
#: A member of each class, and its number of members.
_MEMBERS = (
    _PREFIX_LINES
    + f"""SELECT ?class (MIN(CONCAT(STR(?x), "{_SEP}", COALESCE(?l, STR(?x)))) AS ?example)
  (COUNT(DISTINCT ?x) AS ?n)
WHERE {{ ?x a ?class FILTER(STRSTARTS(STR(?class), STR(cyto:)) && isIRI(?x)) OPTIONAL {{ ?x rdfs:label ?l }} }}
GROUP BY ?class"""
)
#: One statement made with each property: its first subject, that subject's first value, and their labels.
_STATEMENTS = (
    _PREFIX_LINES
    + """SELECT ?p ?s (COALESCE(?sl, STR(?s)) AS ?subject) ?o (COALESCE(?ol, ?o) AS ?value) WHERE {
  { SELECT ?p ?s (MIN(?o0) AS ?o) WHERE {
      { SELECT ?p (MIN(?s0) AS ?s) WHERE { ?s0 ?p ?x FILTER("""
    + _own("p")
    + """ && isIRI(?s0)) } GROUP BY ?p }
      ?s ?p ?o0 } GROUP BY ?p ?s }
  OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?o rdfs:label ?ol }
}"""
)
#: CytoKG's top-level classes (no CytoKG superclass), which the diagram draws.
_TOP = """{ SELECT ?%s WHERE { ?%s a owl:Class FILTER(STRSTARTS(STR(?%s), STR(cyto:)))
      FILTER NOT EXISTS { ?%s rdfs:subClassOf ?up FILTER(STRSTARTS(STR(?up), STR(cyto:))) } } }"""
#: How each object property the ontology leaves open (no domain or no range), or annotation property that
#: links an entity to a class (``cyto:producedBy`` a cell type), is used: the top-level classes of
#: its subjects and objects (an OBO term without a CytoKG class counts as its ontology, ``obo:CL``).
_USAGE = (
    _PREFIX_LINES
    + """SELECT ?p ?from ?to (COUNT(*) AS ?n) WHERE {
  { SELECT ?p WHERE { VALUES ?type { owl:ObjectProperty owl:AnnotationProperty } ?p a ?type FILTER"""
    + _own("p")
    + """
    FILTER NOT EXISTS { ?p rdfs:domain ?domain ; rdfs:range ?range } } }
  ?s ?p ?o FILTER(isIRI(?o))
  ?s a ?from . """
    + _TOP % (("from",) * 4)
    + """
  OPTIONAL { ?o a ?own . """
    + _TOP % (("own",) * 4)
    + """ }
  BIND(IF(STRSTARTS(STR(?o), STR(obo:)), IRI(CONCAT(STR(obo:), STRBEFORE(STRAFTER(STR(?o), STR(obo:)), "_"))),
    ?unknown) AS ?ontology)
  BIND(COALESCE(?own, ?ontology) AS ?to)
  FILTER(BOUND(?to))
} GROUP BY ?p ?from ?to"""
)
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


def _rows(text: str) -> list[list[str]]:
    answer = site().run_page(text, None, None)
    return [[term.value if isinstance(term, Term) else "" for term in row] for row in answer.solutions]


def _name(iri: str, labels: dict[str, str]) -> str:
    if iri.startswith(str(OBO)) and iri[len(str(OBO)) :] in _ONTOLOGIES:
        return _ONTOLOGIES[iri[len(str(OBO)) :]]
    return labels.get(iri) or curie(iri)


def _usage(terms: dict[str, VocabularyTerm]) -> dict[str, tuple[str, str]]:
    """Each open object property → its most used (subject class, object class), the broadest classes on ties."""
    members = Counter({iri: term.count for iri, term in terms.items()})
    best: dict[str, tuple[int, int, int, str, str]] = {}
    for prop, source, target, n in _rows(_USAGE):
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


def build_model(examples_dir: Path) -> Model:
    """Gather the vocabulary from the served graph (four fixed queries)."""
    terms: dict[str, VocabularyTerm] = {}
    for iri, kind, label, definition, domain, range_, parent in _rows(_TERMS):
        term = terms.setdefault(iri, VocabularyTerm(iri, curie(iri), _KINDS[kind]))
        term.label, term.definition = label or term.label, definition or term.definition
        for values, value in ((term.domains, domain), (term.ranges, range_), (term.parents, parent)):
            if value:
                values.add(value)
    labels = {iri: term.label for iri, term in terms.items() if term.label}
    for cls, example, n in _rows(_MEMBERS):
        if cls in terms:
            member, label = example.split(_SEP, 1)
            terms[cls].example, terms[cls].count = ((label, local_path(member)),), int(n)
    for prop, s, subject, o, value in _rows(_STATEMENTS):
        if prop in terms:
            terms[prop].example = (
                (subject, local_path(s)),
                (terms[prop].label or curie(prop), None),
                (value, local_path(o)),
            )
    for iri, queries in example_properties(examples_dir).items():
        if iri in terms:
            terms[iri].queries = queries
    partitions = site().partitions
    ordered = sorted(terms.values(), key=lambda t: t.curie.lower())
    properties = [t for t in ordered if t.kind != "class"]
    for term in properties:
        term.count = partitions.properties.get(term.iri, 0)
    edges = _edges(properties, labels, _usage(terms))
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
    """The vocabulary page (gathered on the first request, then kept for the app's life)."""
    cached = current_app.extensions.get("cytokg-vocabulary")
    if cached is None:
        cached = current_app.extensions["cytokg-vocabulary"] = build_model(site().queries_dir / "examples")
    return render_template("vocabulary.html", model=cast(Model, cached), curie=curie, local_path=local_path)
