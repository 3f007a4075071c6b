"""Entity pages, the home and browse pages: every CytoKG IRI dereferences here.

Every page query is fixed text run through the app's one vetted, time-limited path (``Site.run_page``),
with the page's entity bound to ``?entity`` as an RDF term.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request

from cytokg.backends.base import Answer, Term
from cytokg.namespaces import BASE, OBO
from cytokg.sparql.formats import GRAPH_TYPES, PAGE_SUFFIXES, negotiate
from cytokg.web.context import site
from cytokg.web.sections import PREFIXES, sections
from cytokg.web.summary import Fact, summarize

__all__ = ["OWN_KINDS", "Describer", "Runner", "entity_iri", "local_path", "pages"]

#: The path segments of CytoKG IRIs; each is served at the same local path.
OWN_KINDS = (
    "vocab",
    "protein",
    "form",
    "complex",
    "cytokine",
    "source",
    "claim",
    "correction",
    "association",
    "role",
    "drug",
    "listing",
)
_LINKOUTS = {
    "hgncId": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{}",
    "uniprotAccession": "https://www.uniprot.org/uniprotkb/{}/entry",
    "ncbiGeneId": "https://www.ncbi.nlm.nih.gov/gene/{}",
    "ensemblGeneId": "https://www.ensembl.org/id/{}",
    "drugbankId": "https://go.drugbank.com/drugs/{}",
}


def local_path(iri: str) -> str | None:
    """The local path that serves an IRI, or None for IRIs this app does not describe.

    >>> local_path("https://w3id.org/cytokg/protein/HGNC_6018"), local_path("http://purl.obolibrary.org/obo/CL_0000235")
    ('/protein/HGNC_6018', '/obo/CL_0000235')
    """
    if iri.startswith(BASE) and iri[len(BASE) :].split("/", 1)[0] in OWN_KINDS:
        return "/" + iri[len(BASE) :]
    if iri.startswith(str(OBO)):
        return "/obo/" + iri[len(str(OBO)) :]
    return None


#: What a key may look like after the kind (``protein/HGNC_6018``) or under ``/obo/`` (``CL_0000235``):
#: anything else cannot name an entity and is a 404 before any query runs.
_OWN_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_OBO_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]{0,19}_[A-Za-z0-9_]{1,40}")
#: Page queries: fixed text; the page's entity is bound to ``?entity`` as an RDF term (never pasted as text).
_EXISTS = "ASK { { ?entity ?p ?o } UNION { ?s ?q ?entity } }"
_RDF = """CONSTRUCT { ?entity ?p ?o . ?s ?q ?entity }
WHERE { { ?entity ?p ?o } UNION { ?s ?q ?entity FILTER(isIRI(?s)) } }"""
_OUTGOING = (
    PREFIXES
    + """SELECT ?entity ?p ?o (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel)
WHERE { ?entity ?p ?o FILTER(!isBlank(?o)) OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } }
GROUP BY ?entity ?p ?o"""
)
_INCOMING = (
    PREFIXES
    + """SELECT ?entity ?s ?p (SAMPLE(?sl) AS ?slabel) (SAMPLE(?pl) AS ?plabel)
WHERE { { SELECT ?entity ?s ?p WHERE { ?s ?p ?entity FILTER(isIRI(?s)) } LIMIT 2000 }
  OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } }
GROUP BY ?entity ?s ?p"""
)
_PROVENANCE = (
    PREFIXES
    + """SELECT ?entity ?p ?o (SAMPLE(COALESCE(?sl, STR(?src))) AS ?source)
  (SAMPLE(COALESCE(?el, STR(?eco))) AS ?evidence)
WHERE { ?ax owl:annotatedSource ?entity ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
            dcterms:source ?src ; cyto:evidence ?eco .
  OPTIONAL { ?src rdfs:label ?sl } OPTIONAL { ?eco rdfs:label ?el } }
GROUP BY ?entity ?p ?o ?src ?eco"""
)

#: Runs a page's query through the app's vetted, time-limited path: text, the IRI bound to ``?entity``, and
#: the graph media type for CONSTRUCT (None for SELECT/ASK solutions).
Runner = Callable[[str, str | None, str | None], Answer]


def entity_iri(kind: str, key: str) -> str | None:
    """The IRI a page path names, or None if the key breaks the ID policy.

    >>> entity_iri("protein", "HGNC_6018"), entity_iri("obo", "CL_0000235"), entity_iri("protein", "x> ?p")
    ('https://w3id.org/cytokg/protein/HGNC_6018', 'http://purl.obolibrary.org/obo/CL_0000235', None)
    """
    if kind == "obo":
        return f"{OBO}{key}" if _OBO_KEY.fullmatch(key) else None
    return f"{BASE}{kind}/{key}" if kind in OWN_KINDS and _OWN_KEY.fullmatch(key) else None


def _value(term: Term | None) -> str:
    return term.value if term is not None else ""


def _key(prop: str) -> str:
    return prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class Statement:
    """One property value, with its display label, local link and provenance."""

    value: str
    label: str
    link: str | None
    is_iri: bool
    sources: list[tuple[str, str]] = field(default_factory=list)


class Describer:
    """Collects what the graph says about one IRI, with labels and axiom provenance."""

    def __init__(self, run: Runner) -> None:
        self.run = run

    def _solutions(self, query: str, iri: str) -> list[dict[str, Term | None]]:
        answer = self.run(query, iri, None)
        return [dict(zip(answer.variables, row, strict=True)) for row in answer.solutions]

    def describe(self, iri: str) -> dict[str, object] | None:
        """Outgoing and incoming statements of ``iri`` grouped by property, or None if unknown."""
        outgoing = self._solutions(_OUTGOING, iri)
        incoming = self._solutions(_INCOMING, iri)
        if not outgoing and not incoming:
            return None
        provenance: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for row in self._solutions(_PROVENANCE, iri):
            pair = (_value(row["p"]), _value(row["o"]))
            provenance[pair].append((_value(row["source"]), _value(row["evidence"])))
        out: dict[str, list[Statement]] = defaultdict(list)
        facts = []
        for row in outgoing:
            prop, obj = _value(row["p"]), row["o"]
            is_iri = obj is not None and obj.is_iri
            value = _value(obj)
            facts.append(Fact(prop, value, _value(row["olabel"]) or value, is_iri))
            link = local_path(value) if is_iri else None
            key = _key(prop)
            if not is_iri and key in _LINKOUTS:
                link = _LINKOUTS[key].format(quote(value, safe=":"))
            label = _value(row["olabel"]) or value
            statement = Statement(value, label, link, is_iri, sorted(provenance.get((prop, value), [])))
            out[_value(row["plabel"]) or key].append(statement)
        inc: dict[str, list[Statement]] = defaultdict(list)
        for row in incoming:
            subject, prop = _value(row["s"]), _value(row["p"])
            label = _value(row["slabel"]) or subject
            inc[_value(row["plabel"]) or _key(prop)].append(Statement(subject, label, local_path(subject), True))
        summary = summarize(iri, facts, local_path)
        return {
            "iri": iri,
            "label": summary.name,
            "summary": summary,
            "outgoing": {k: sorted(v, key=lambda s: (s.label, s.value)) for k, v in sorted(out.items())},
            "incoming": {k: sorted(v, key=lambda s: (s.label, s.value)) for k, v in sorted(inc.items())},
        }


_FAMILIES = (
    PREFIXES
    + """SELECT ?class ?family ?member ?label WHERE { ?class rdfs:subClassOf+ cyto:Cytokine ; rdfs:label ?family .
  ?member a ?class ; rdfs:label ?label } ORDER BY ?family ?label"""
)
_SHARED_CHAINS = (
    PREFIXES
    + """SELECT ?chain ?symbol ?ligand ?label WHERE { ?ligand cyto:hasReceptor/cyto:hasSignalTransducingSubunit ?chain .
  ?chain cyto:hgncSymbol ?symbol . ?ligand rdfs:label ?label }"""
)


def _split(key: str) -> tuple[str, str | None]:
    for suffix in PAGE_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)], suffix
    return key, None


pages = Blueprint("pages", __name__)


def _rdf(iri: str, media: str) -> Response:
    body = site().run_page(_RDF, iri, media).body
    return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


def _entity(kind: str, path_key: str) -> Response | str:
    run = site().run_page
    key, suffix = _split(path_key)
    iri = entity_iri(kind, key)
    if iri is None:
        abort(404)
    if suffix:
        exists = run(_EXISTS, iri, None).solutions
        if not exists or _value(exists[0][0]) != "true":
            abort(404)
        return _rdf(iri, PAGE_SUFFIXES[suffix])
    media = negotiate(request.headers.get("Accept"), ["text/html", *GRAPH_TYPES])
    described = Describer(run).describe(iri)
    if described is None:
        abort(404)
    if media and media != "text/html":
        return _rdf(iri, media)
    tables = sections(run, iri, local_path)
    return render_template("entity.html", entity=described, formats=PAGE_SUFFIXES, sections=tables)


@pages.route("/<any(" + ", ".join(OWN_KINDS) + "):kind>/<path:key>")
def own(kind: str, key: str) -> Response | str:
    """A CytoKG entity's page (or its RDF, by suffix or Accept header)."""
    return _entity(kind, key)


@pages.route("/obo/<path:key>")
def external(key: str) -> Response | str:
    """What CytoKG says about an OBO term (cell type, disease, process …)."""
    return _entity("obo", key)


@pages.route("/")
def home() -> str:
    """The home page with the graph's counts."""
    return render_template("home.html", counts=site().counts)


@pages.route("/browse")
def browse() -> str:
    """Cytokine families and the receptor chains shared by three or more ligands."""
    run = site().run_page
    families = defaultdict(list)
    for row in run(_FAMILIES, None, None).solutions:
        cls, family, member, label = (_value(term) for term in row)
        families[(family, cls)].append((label, local_path(member)))
    shared = defaultdict(set)
    for row in run(_SHARED_CHAINS, None, None).solutions:
        chain, symbol, ligand, label = (_value(term) for term in row)
        shared[(symbol, chain)].add((label, local_path(ligand)))
    groups = sorted(((k, sorted(v)) for k, v in shared.items() if len(v) >= 3), key=lambda kv: (-len(kv[1]), kv[0]))
    return render_template("browse.html", families=sorted(families.items()), groups=groups, local_path=local_path)
