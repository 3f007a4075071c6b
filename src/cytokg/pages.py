"""Entity pages, the query page and the browse pages: every CytoKG IRI dereferences here."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from flask import Blueprint, Response, abort, render_template, request

from .formats import GRAPH_TYPES, negotiate
from .namespaces import BASE, OBO
from .qc import read_header
from .store import Queryable

__all__ = ["OWN_KINDS", "Describer", "get_pages_blueprint", "local_path"]

#: The path segments of CytoKG IRIs; each is served at the same local path.
OWN_KINDS = ("vocab", "protein", "form", "complex", "cytokine", "source", "claim", "association", "role", "drug")
_SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json",
}
_LINKOUTS = {
    "hgncId": "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{}",
    "uniprotAccession": "https://www.uniprot.org/uniprotkb/{}/entry",
    "ncbiGeneId": "https://www.ncbi.nlm.nih.gov/gene/{}",
    "ensemblGeneId": "https://www.ensembl.org/id/{}",
    "drugbankId": "https://go.drugbank.com/drugs/{}",
}
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


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


def _text(term: object) -> str:
    return str(getattr(term, "value", term))


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

    def __init__(self, store: Queryable) -> None:
        self.store = store

    def labels(self, iris: set[str]) -> dict[str, str]:
        """Labels of many IRIs in one query."""
        if not iris:
            return {}
        values = " ".join(f"<{iri}>" for iri in iris if ">" not in iri)
        query = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{_LABEL}> ?l }}"
        return {_text(row["s"]): _text(row["l"]) for row in self.store.query(query)}

    def describe(self, iri: str) -> dict[str, object] | None:
        """Outgoing and incoming statements of ``iri`` grouped by property, or None if unknown."""
        node = f"<{iri}>"
        outgoing = list(self.store.query(f"SELECT ?p ?o WHERE {{ {node} ?p ?o }}"))
        incoming = list(self.store.query(f"SELECT ?s ?p WHERE {{ ?s ?p {node} FILTER(isIRI(?s)) }} LIMIT 2000"))
        if not outgoing and not incoming:
            return None
        provenance: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        query = (
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?p ?o ?src ?eco WHERE { ?ax owl:annotatedSource "
            f"{node} ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ; <http://purl.org/dc/terms/source> ?src ; "
            "<https://w3id.org/cytokg/vocab/evidence> ?eco }"
        )
        for row in self.store.query(query):
            provenance[(_text(row["p"]), _text(row["o"]))].append((_text(row["src"]), _text(row["eco"])))
        iris = {_text(r["p"]) for r in outgoing} | {
            _text(r["o"]) for r in outgoing if isinstance(r["o"], pyoxigraph.NamedNode)
        }
        iris |= {_text(r["s"]) for r in incoming} | {_text(r["p"]) for r in incoming}
        iris |= {s for values in provenance.values() for pair in values for s in pair}
        labels = self.labels(iris)
        out: dict[str, list[Statement]] = defaultdict(list)
        for row in outgoing:
            prop, obj = _text(row["p"]), row["o"]
            is_iri = isinstance(obj, pyoxigraph.NamedNode)
            value = _text(obj)
            sources = [(labels.get(s, s), labels.get(e, e)) for s, e in provenance.get((prop, value), [])]
            link = local_path(value) if is_iri else None
            key = prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            if not is_iri and key in _LINKOUTS:
                link = _LINKOUTS[key].format(value)
            if isinstance(obj, pyoxigraph.BlankNode):
                continue
            out[labels.get(prop, key)].append(Statement(value, labels.get(value, value), link, is_iri, sources))
        inc: dict[str, list[Statement]] = defaultdict(list)
        for row in incoming:
            subject, prop = _text(row["s"]), _text(row["p"])
            key = prop.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            inc[labels.get(prop, key)].append(
                Statement(subject, labels.get(subject, subject), local_path(subject), True)
            )
        label = next((s.value for s in out.get("label", [])), iri.rsplit("/", 1)[-1])
        return {
            "iri": iri,
            "label": label,
            "outgoing": dict(sorted(out.items())),
            "incoming": dict(sorted(inc.items())),
        }


#: Tables shown on a gene product's or cytokine's page: title → (columns, query with $IRI).
_SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "Receptor complexes": (
        ("complex", "mechanism", "ligand-binding", "signal-transducing", "JAKs", "STATs", "adaptors"),
        """SELECT ?c ?complex ?mechanism (GROUP_CONCAT(DISTINCT ?lb; SEPARATOR=", ") AS ?binding)
               (GROUP_CONCAT(DISTINCT ?st; SEPARATOR=", ") AS ?transducing)
               (GROUP_CONCAT(DISTINCT ?jak; SEPARATOR=", ") AS ?jaks)
               (GROUP_CONCAT(DISTINCT ?stat; SEPARATOR=", ") AS ?stats)
               (GROUP_CONCAT(DISTINCT ?ad; SEPARATOR=", ") AS ?adaptors)
           WHERE { $IRI cyto:hasReceptor ?c . ?c rdfs:label ?complex .
             OPTIONAL { ?c cyto:signalingMechanism/rdfs:label ?mechanism }
             OPTIONAL { ?c cyto:hasLigandBindingSubunit/rdfs:label ?lb }
             OPTIONAL { ?c cyto:hasSignalTransducingSubunit/rdfs:label ?st }
             OPTIONAL { ?c cyto:usesKinase/cyto:hgncSymbol ?jak }
             OPTIONAL { ?c cyto:activatesSTAT/cyto:hgncSymbol ?stat }
             OPTIONAL { ?c cyto:recruits/cyto:hgncSymbol ?ad } }
           GROUP BY ?c ?complex ?mechanism ORDER BY ?complex""",
    ),
    "Disease associations": (
        (
            "association",
            "disease",
            "kind",
            "specimen",
            "direction",
            "compared with",
            "timing",
            "correlates with",
            "source",
            "claim",
        ),
        """SELECT ?a ?alabel ?disease (GROUP_CONCAT(DISTINCT ?k; SEPARATOR=", ") AS ?kinds)
               ?specimen ?direction ?compared
               ?timing (GROUP_CONCAT(DISTINCT ?cw; SEPARATOR=", ") AS ?correlates) ?source ?claim
           WHERE { ?a cyto:associatedEntity $IRI ; rdfs:label ?alabel ; cyto:associatedDisease/rdfs:label ?disease ;
                      cyto:associationKind/rdfs:label ?k ; dcterms:source/rdfs:label ?source .
             OPTIONAL { ?a cyto:specimen/rdfs:label ?specimen } OPTIONAL { ?a cyto:direction/rdfs:label ?direction }
             OPTIONAL { ?a cyto:comparedWith/rdfs:label ?compared } OPTIONAL { ?a cyto:timing ?timing }
             OPTIONAL { ?a cyto:correlatesWith/rdfs:label ?cw } OPTIONAL { ?a cyto:basedOnClaim/cyto:claimId ?claim } }
           GROUP BY ?a ?alabel ?disease ?specimen ?direction ?compared ?timing ?source ?claim ORDER BY ?disease""",
    ),
    "Drugs that target it": (
        ("drug", "mechanism", "approval", "indications"),
        """SELECT ?d ?drug ?mechanism ?approval (GROUP_CONCAT(DISTINCT ?ind; SEPARATOR=", ") AS ?indications)
           WHERE { ?d cyto:hasTarget $IRI ; rdfs:label ?drug ; cyto:hasMechanism/rdfs:label ?mechanism ;
                      cyto:approvalStatus ?approval . OPTIONAL { ?d obo:RO_0002606/rdfs:label ?ind } }
           GROUP BY ?d ?drug ?mechanism ?approval ORDER BY ?drug""",
    ),
    "Inflammatory roles": (
        ("role", "context", "source", "claim"),
        """SELECT ?r ?role ?context ?source ?claim
           WHERE { ?r cyto:roleOf $IRI ; cyto:assertedRole/rdfs:label ?role ; dcterms:source/rdfs:label ?source .
             OPTIONAL { ?r cyto:context ?context } OPTIONAL { ?r cyto:basedOnClaim/cyto:claimId ?claim } }
           ORDER BY ?role ?source""",
    ),
    "Source claims behind these statements": (
        ("claim", "what the source said", "status", "source"),
        """SELECT DISTINCT ?c ?id ?text ?status ?source
           WHERE { { ?x cyto:associatedEntity $IRI } UNION { ?x cyto:roleOf $IRI }
             ?x cyto:basedOnClaim ?c . ?c cyto:claimId ?id ; cyto:claimText ?text ;
                cyto:curationStatus/rdfs:label ?status ; dcterms:source/rdfs:label ?source }
           ORDER BY ?id""",
    ),
}
_PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX obo: <http://purl.obolibrary.org/obo/>
"""


def _sections(store: Queryable, iri: str) -> dict[str, tuple[tuple[str, ...], list[tuple[str | None, list[str]]]]]:
    """The tables of an entity page; the first variable of each query is the row's link target."""
    found = {}
    for title, (columns, query) in _SECTIONS.items():
        rows = []
        for solution in store.query(_PREFIXES + query.replace("$IRI", f"<{iri}>")):
            values = [_text(term) if term is not None else "" for term in solution]
            rows.append((local_path(values[0]), values[1:]))
        if rows:
            found[title] = (columns, rows)
    return found


def _examples(queries_dir: Path) -> list[dict[str, str]]:
    examples = []
    for path in sorted((queries_dir / "examples").glob("*.rq")):
        header = read_header(path)
        text = path.read_text(encoding="utf-8")
        examples.append(
            {
                "name": path.stem,
                "title": header.get("title", path.stem),
                "description": header.get("description", ""),
                "query": text,
            }
        )
    return examples


def get_pages_blueprint(store: Queryable, queries_dir: Path) -> Blueprint:
    """Entity pages at each IRI's local path, the query page and the browse page."""
    pages = Blueprint("pages", __name__)
    describer = Describer(store)
    examples = _examples(queries_dir)

    def _rdf(iri: str, media: str) -> Response:
        query = (
            f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION "
            f"{{ ?s ?q <{iri}> FILTER(isIRI(?s)) }} }}"
        )
        body = store.query(query).serialize(format=GRAPH_TYPES[media])
        return Response(body, content_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})

    def _entity(iri: str, suffix: str | None) -> Response | str:
        if suffix:
            media = _SUFFIXES.get(suffix)
            if media is None:
                abort(404)
            if not store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"):
                abort(404)
            return _rdf(iri, media)
        media = negotiate(request.headers.get("Accept"), ["text/html", *GRAPH_TYPES])
        described = describer.describe(iri)
        if described is None:
            abort(404)
        if media and media != "text/html":
            return _rdf(iri, media)
        return render_template("entity.html", entity=described, formats=_SUFFIXES, sections=_sections(store, iri))

    def _split(key: str) -> tuple[str, str | None]:
        for suffix in _SUFFIXES:
            if key.endswith(suffix):
                return key[: -len(suffix)], suffix
        return key, None

    @pages.route("/<any(" + ", ".join(OWN_KINDS) + "):kind>/<path:key>")
    def own(kind: str, key: str) -> Response | str:
        key, suffix = _split(key)
        return _entity(f"{BASE}{kind}/{key}", suffix)

    @pages.route("/obo/<key>")
    def external(key: str) -> Response | str:
        key, suffix = _split(key)
        return _entity(f"{OBO}{key}", suffix)

    @pages.route("/query")
    def query_page() -> str:
        return render_template(
            "query.html", examples=examples, examples_json=json.dumps(examples).replace("</", "<\\/")
        )

    @pages.route("/browse")
    def browse() -> str:
        families = defaultdict(list)
        query = """PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?class ?family ?member ?label WHERE { ?class rdfs:subClassOf+ cyto:Cytokine ; rdfs:label ?family .
            ?member a ?class ; rdfs:label ?label } ORDER BY ?family ?label"""
        for row in store.query(query):
            families[(_text(row["family"]), _text(row["class"]))].append(
                (_text(row["label"]), local_path(_text(row["member"])))
            )
        shared = defaultdict(set)
        query = """PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?chain ?symbol ?ligand ?label WHERE {
              ?ligand cyto:hasReceptor/cyto:hasSignalTransducingSubunit ?chain .
              ?chain cyto:hgncSymbol ?symbol . ?ligand rdfs:label ?label }"""
        for row in store.query(query):
            shared[(_text(row["symbol"]), _text(row["chain"]))].add(
                (_text(row["label"]), local_path(_text(row["ligand"])))
            )
        groups = sorted(((k, sorted(v)) for k, v in shared.items() if len(v) >= 3), key=lambda kv: (-len(kv[1]), kv[0]))
        return render_template("browse.html", families=sorted(families.items()), groups=groups, local_path=local_path)

    return pages
