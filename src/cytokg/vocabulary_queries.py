"""The fixed queries behind the ``/vocabulary`` page's tables; the build answers them once per release."""

from __future__ import annotations

from cytokg.namespaces import PREFIXES

__all__ = ["SEPARATOR", "VOCABULARY_QUERIES"]

_PREFIX_LINES = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())
#: The separator inside a sampled example (a control character no label contains).
SEPARATOR = "\u001f"


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
    + f"""SELECT ?class (MIN(CONCAT(STR(?x), "{SEPARATOR}", COALESCE(?l, STR(?x)))) AS ?example)
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
#: The page's tables by name: terms, class members, a statement per property, and open properties' usage.
VOCABULARY_QUERIES = {"terms": _TERMS, "members": _MEMBERS, "statements": _STATEMENTS, "usage": _USAGE}
