"""The tables of an entity page, chosen by the entity's kind: a disease's cytokines and drugs, a cell type's
cytokines, a drug's targets and indications, a process's cytokines, and so on.

Every query is fixed text with the page's entity bound to ``?entity`` as an RDF term; its first other variable is
the IRI each row links to. Lists come back from GROUP_CONCAT joined by ``|`` and are sorted here, since stores
concatenate in any order. The queries avoid aggregates inside IF and SAMPLE, which Virtuoso mishandles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cytokg.backends.base import Answer
from cytokg.namespaces import BASE, OBO

__all__ = ["PREFIXES", "Table", "sections"]

PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
#: GROUP_CONCAT separator of the lists in section tables.
_LIST = "|"


#: "Treats" and the process relations: CytoKG's annotation properties for RO:0002606, RO:0002331, RO:0002429/0430.
_TREATS = "VALUES ?treats { cyto:treats }"
_INVOLVED = """VALUES ?prop { cyto:involvedIn cyto:positivelyRegulates cyto:negativelyRegulates }"""


def _evidence(subject: str, prop: str, target: str) -> str:
    """The evidence of the statement ``subject prop target`` as ``?ev``: its source and kind of evidence, in words."""
    return f"""OPTIONAL {{ ?ax owl:annotatedSource {subject} ; owl:annotatedProperty {prop} ;
                  owl:annotatedTarget {target} ; dcterms:source/rdfs:label ?src ; cyto:evidence/rdfs:label ?eco
             BIND (CONCAT(STR(?src), " (", STR(?eco), ")") AS ?ev) }}"""


@dataclass(frozen=True)
class Table:
    """One section of a page: a title, column headings and rows (each with the page its first cell links to)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str | None, list[str]]]


def _cell(value: str) -> str:
    """A table cell's text: a list comes out sorted, joined by ", " (or "; " when its items hold commas)."""
    if _LIST not in value:
        return value
    items = sorted(set(value.split(_LIST)))
    return ("; " if any(", " in item for item in items) else ", ").join(items)


_CLAIMS = (
    ("what the source said", "status", "how CytoKG corrects it", "source"),
    """SELECT DISTINCT ?entity ?c ?text ?status ?correction ?source
       WHERE { { ?x cyto:associatedEntity ?entity } UNION { ?x cyto:roleOf ?entity }
         ?x cyto:basedOnClaim ?c . ?c rdfs:label ?text ; cyto:curationStatus/rdfs:label ?status ;
            dcterms:source/rdfs:label ?source .
         OPTIONAL { ?c cyto:correctedBy/cyto:correction ?correction } }
       ORDER BY ?status ?text""",
)
_CLAIMS_ABOUT = (
    ("what the source said", "status", "how CytoKG corrects it", "source"),
    """SELECT DISTINCT ?entity ?c ?text ?status ?correction ?source
       WHERE { ?c cyto:claimAbout ?entity ; rdfs:label ?text ; cyto:curationStatus/rdfs:label ?status ;
            dcterms:source/rdfs:label ?source .
         OPTIONAL { ?c cyto:correctedBy/cyto:correction ?correction } }
       ORDER BY ?status ?text""",
)


def _cells(prop: str) -> tuple[tuple[str, ...], str]:
    """Cytokines linked to the page's cell type by ``prop``, with the cell state and the evidence."""
    return (
        ("cytokine", "symbol", "cell state", "evidence"),
        """SELECT ?entity ?x ?name ?symbol (GROUP_CONCAT(DISTINCT ?state; SEPARATOR="|") AS ?states)
               (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { ?x PROP ?entity ; rdfs:label ?name .
             OPTIONAL { ?x cyto:hgncSymbol ?symbol }
             OPTIONAL { ?sx owl:annotatedSource ?x ; owl:annotatedProperty PROP ; owl:annotatedTarget ?entity ;
                            cyto:cellState/rdfs:label ?state }
             EVIDENCE }
           GROUP BY ?entity ?x ?name ?symbol ORDER BY ?name""".replace(
            "EVIDENCE", _evidence("?x", prop, "?entity")
        ).replace("PROP", prop),
    )


#: Tables of a gene product's (or multi-chain cytokine's) page: title → (columns, query).
_GENE_PRODUCT: dict[str, tuple[tuple[str, ...], str]] = {
    "Receptor complexes": (
        ("complex", "mechanism", "ligand-binding", "signal-transducing", "JAKs", "STATs", "adaptors"),
        """SELECT ?entity ?c ?complex ?mechanism (GROUP_CONCAT(DISTINCT ?lb; SEPARATOR="|") AS ?binding)
               (GROUP_CONCAT(DISTINCT ?st; SEPARATOR="|") AS ?transducing)
               (GROUP_CONCAT(DISTINCT ?jak; SEPARATOR="|") AS ?jaks)
               (GROUP_CONCAT(DISTINCT ?stat; SEPARATOR="|") AS ?stats)
               (GROUP_CONCAT(DISTINCT ?ad; SEPARATOR="|") AS ?adaptors)
           WHERE { ?entity cyto:hasReceptor ?c . ?c rdfs:label ?complex .
             OPTIONAL { ?c cyto:signalingMechanism/rdfs:label ?mechanism }
             OPTIONAL { ?c cyto:hasLigandBindingSubunit/rdfs:label ?lb }
             OPTIONAL { ?c cyto:hasSignalTransducingSubunit/rdfs:label ?st }
             OPTIONAL { ?c cyto:usesKinase/cyto:hgncSymbol ?jak }
             OPTIONAL { ?c cyto:activatesSTAT/cyto:hgncSymbol ?stat }
             OPTIONAL { ?c cyto:recruits/cyto:hgncSymbol ?ad } }
           GROUP BY ?entity ?c ?complex ?mechanism ORDER BY ?complex""",
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
            "what the source said",
        ),
        """SELECT ?entity ?a ?alabel ?disease (GROUP_CONCAT(DISTINCT ?k; SEPARATOR="|") AS ?kinds)
               ?specimen ?direction ?compared
               ?timing (GROUP_CONCAT(DISTINCT ?cw; SEPARATOR="|") AS ?correlates) ?source ?claim
           WHERE { ?a cyto:associatedEntity ?entity ; rdfs:label ?alabel ; cyto:associatedDisease/rdfs:label ?disease ;
                      cyto:associationKind/rdfs:label ?k ; dcterms:source/rdfs:label ?source .
             OPTIONAL { ?a cyto:specimen/rdfs:label ?specimen } OPTIONAL { ?a cyto:direction/rdfs:label ?direction }
             OPTIONAL { ?a cyto:comparedWith/rdfs:label ?compared } OPTIONAL { ?a cyto:timing ?timing }
             OPTIONAL { ?a cyto:correlatesWith/rdfs:label ?cw } OPTIONAL { ?a cyto:basedOnClaim/rdfs:label ?claim } }
           GROUP BY ?entity ?a ?alabel ?disease ?specimen ?direction ?compared ?timing ?source ?claim
           ORDER BY ?disease""",
    ),
    "Drugs that target it": (
        ("drug", "mechanism", "approval", "indications"),
        """SELECT ?entity ?d ?drug ?mechanism ?approval (GROUP_CONCAT(DISTINCT ?ind; SEPARATOR="|") AS ?indications)
           WHERE { ?d cyto:hasTarget ?entity ; rdfs:label ?drug ; cyto:hasMechanism/rdfs:label ?mechanism ;
                      cyto:approvalStatus ?approval . OPTIONAL { TREATS ?d ?treats ?i . ?i rdfs:label ?ind } }
           GROUP BY ?entity ?d ?drug ?mechanism ?approval ORDER BY ?drug""",
    ),
    "Inflammatory roles": (
        ("role", "context", "source", "what the source said"),
        """SELECT ?entity ?r ?role ?context ?source ?claim
           WHERE { ?r cyto:roleOf ?entity ; cyto:assertedRole/rdfs:label ?role ; dcterms:source/rdfs:label ?source .
             OPTIONAL { ?r cyto:context ?context } OPTIONAL { ?r cyto:basedOnClaim/rdfs:label ?claim } }
           ORDER BY ?role ?source""",
    ),
    "Cell types that produce it": (
        ("cell type", "cell state", "evidence"),
        """SELECT ?entity ?y ?cell (GROUP_CONCAT(DISTINCT ?state; SEPARATOR="|") AS ?states)
               (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { ?entity cyto:producedBy ?y . ?y rdfs:label ?cell .
             OPTIONAL { ?sx owl:annotatedSource ?entity ; owl:annotatedProperty cyto:producedBy ;
                            owl:annotatedTarget ?y ; cyto:cellState/rdfs:label ?state }
             EVIDENCE }
           GROUP BY ?entity ?y ?cell ORDER BY ?cell""".replace(
            "EVIDENCE", _evidence("?entity", "cyto:producedBy", "?y")
        ),
    ),
    "Cell types it acts on": (
        ("cell type", "evidence"),
        """SELECT ?entity ?y ?cell (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { ?entity cyto:actsOn ?y . ?y rdfs:label ?cell . EVIDENCE }
           GROUP BY ?entity ?y ?cell ORDER BY ?cell""".replace("EVIDENCE", _evidence("?entity", "cyto:actsOn", "?y")),
    ),
    "Listed by ligand-receptor resources": (
        ("listed pair", "listed by", "CytoKG's verdict", "modelled in CytoKG as, or why not"),
        """SELECT ?entity ?l ?pair ?resources ?verdict (IF(?asserted, ?complexes, ?why) AS ?detail)
           WHERE {
             { SELECT ?entity ?l ?pair ?asserted (GROUP_CONCAT(DISTINCT ?resource; SEPARATOR="|") AS ?resources)
                   (GROUP_CONCAT(DISTINCT ?complex; SEPARATOR="|") AS ?complexes)
                   (GROUP_CONCAT(DISTINCT ?reason; SEPARATOR=" ") AS ?why)
               WHERE { ?l cyto:listedLigand ?entity ; rdfs:label ?pair ; cyto:listingVerdict ?status ;
                          dcterms:source/rdfs:label ?full .
                 BIND (?status = cyto:Asserted AS ?asserted)
                 BIND (IF(CONTAINS(?full, " ("), STRBEFORE(?full, " ("), ?full) AS ?resource)
                 OPTIONAL { ?l cyto:modelledAs/rdfs:label ?complex } OPTIONAL { ?l rdfs:comment ?reason } }
               GROUP BY ?entity ?l ?pair ?asserted }
             BIND (IF(?asserted, "in CytoKG", "not in CytoKG") AS ?verdict) }
           ORDER BY DESC(?asserted) ?pair""",
    ),
    "Source claims behind these statements": _CLAIMS,
}

_DISEASE: dict[str, tuple[tuple[str, ...], str]] = {
    "Cytokines associated with it": (
        ("cytokine", "kind", "direction", "specimen", "evidence"),
        """SELECT ?entity ?x ?name (GROUP_CONCAT(DISTINCT ?k; SEPARATOR="|") AS ?kinds) ?direction ?specimen
               (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { ?a cyto:associatedDisease ?entity ; cyto:associatedEntity ?x ; cyto:associationKind/rdfs:label ?k ;
                      dcterms:source/rdfs:label ?src ; cyto:evidence/rdfs:label ?eco .
             ?x rdfs:label ?name .
             OPTIONAL { ?a cyto:direction/rdfs:label ?direction } OPTIONAL { ?a cyto:specimen/rdfs:label ?specimen }
             BIND (CONCAT(STR(?src), " (", STR(?eco), ")") AS ?ev) }
           GROUP BY ?entity ?x ?name ?direction ?specimen ORDER BY ?name""",
    ),
    "Drugs for it": (
        ("drug", "mechanism", "approval", "targets"),
        """SELECT ?entity ?d ?drug ?mechanism ?approval (GROUP_CONCAT(DISTINCT ?target; SEPARATOR="|") AS ?targets)
           WHERE { TREATS ?d ?treats ?entity ; rdfs:label ?drug ; cyto:hasMechanism/rdfs:label ?mechanism ;
                      cyto:approvalStatus ?approval . OPTIONAL { ?d cyto:hasTarget/rdfs:label ?target } }
           GROUP BY ?entity ?d ?drug ?mechanism ?approval ORDER BY ?drug""",
    ),
    "What sources said about it": (
        ("what the source said", "status", "source"),
        """SELECT DISTINCT ?entity ?c ?text ?status ?source
           WHERE { ?c cyto:claimAboutDisease ?entity ; rdfs:label ?text ; cyto:curationStatus/rdfs:label ?status ;
                      dcterms:source/rdfs:label ?source }
           ORDER BY ?text""",
    ),
}

_CELL_TYPE: dict[str, tuple[tuple[str, ...], str]] = {
    "Cytokines it produces": _cells("cyto:producedBy"),
    "Cytokines that act on it": _cells("cyto:actsOn"),
}

_DRUG: dict[str, tuple[tuple[str, ...], str]] = {
    "Targets": (
        ("target", "symbol", "mechanism", "approval"),
        """SELECT ?entity ?t ?target ?symbol ?mechanism ?approval
           WHERE { ?entity cyto:hasTarget ?t ; cyto:hasMechanism/rdfs:label ?mechanism ; cyto:approvalStatus ?approval .
             ?t rdfs:label ?target OPTIONAL { ?t cyto:hgncSymbol ?symbol } }
           ORDER BY ?target""",
    ),
    "Indications": (
        ("disease", "evidence"),
        """SELECT ?entity ?y ?disease (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { TREATS ?entity ?treats ?y . ?y rdfs:label ?disease . EVIDENCE }
           GROUP BY ?entity ?y ?disease ORDER BY ?disease""".replace("EVIDENCE", _evidence("?entity", "?treats", "?y")),
    ),
    "What sources said about it": _CLAIMS_ABOUT,
}

_PROCESS: dict[str, tuple[tuple[str, ...], str]] = {
    "Cytokines involved": (
        ("gene product", "how", "evidence"),
        """SELECT ?entity ?x ?name ?how (GROUP_CONCAT(DISTINCT ?ev; SEPARATOR="|") AS ?evidence)
           WHERE { INVOLVED
             ?x ?prop ?entity ; rdfs:label ?name . ?prop rdfs:label ?how .
             EVIDENCE }
           GROUP BY ?entity ?x ?name ?how ORDER BY ?name""".replace("EVIDENCE", _evidence("?x", "?prop", "?entity")),
    ),
    "Receptor complexes that signal through it": (
        ("receptor complex",),
        """SELECT ?entity ?c ?complex WHERE { ?c cyto:signalsVia ?entity ; rdfs:label ?complex } ORDER BY ?complex""",
    ),
}

_ANATOMY: dict[str, tuple[tuple[str, ...], str]] = {
    "Cytokines measured in it": (
        ("cytokine", "disease", "direction", "source"),
        """SELECT ?entity ?x ?name ?disease ?direction ?source
           WHERE { ?a cyto:specimen ?entity ; cyto:associatedEntity ?x ; cyto:associatedDisease/rdfs:label ?disease ;
                      dcterms:source/rdfs:label ?source . ?x rdfs:label ?name .
             OPTIONAL { ?a cyto:direction/rdfs:label ?direction } }
           ORDER BY ?name ?disease""",
    ),
}

_COMPLEX: dict[str, tuple[tuple[str, ...], str]] = {
    "Subunits": (
        ("subunit", "role"),
        """SELECT ?entity ?s ?subunit (GROUP_CONCAT(DISTINCT ?role; SEPARATOR="|") AS ?roles)
           WHERE { ?entity cyto:hasSubunit ?s . ?s rdfs:label ?subunit .
             OPTIONAL { ?entity ?rp ?s . ?rp rdfs:subPropertyOf cyto:hasSubunit ; rdfs:label ?role } }
           GROUP BY ?entity ?s ?subunit ORDER BY ?subunit""",
    ),
    "Ligands": (
        ("ligand", "symbol"),
        """SELECT ?entity ?x ?ligand ?symbol WHERE { ?x cyto:hasReceptor ?entity ; rdfs:label ?ligand .
             OPTIONAL { ?x cyto:hgncSymbol ?symbol } } ORDER BY ?ligand""",
    ),
    "Signalling": (
        ("pathway", "mechanism", "JAKs", "STATs", "adaptors"),
        """SELECT ?entity ?p ?pathway ?mechanism (GROUP_CONCAT(DISTINCT ?jak; SEPARATOR="|") AS ?jaks)
               (GROUP_CONCAT(DISTINCT ?stat; SEPARATOR="|") AS ?stats)
               (GROUP_CONCAT(DISTINCT ?ad; SEPARATOR="|") AS ?adaptors)
           WHERE { ?entity cyto:signalsVia ?p . ?p rdfs:label ?pathway .
             OPTIONAL { ?entity cyto:signalingMechanism/rdfs:label ?mechanism }
             OPTIONAL { ?entity cyto:usesKinase/cyto:hgncSymbol ?jak }
             OPTIONAL { ?entity cyto:activatesSTAT/cyto:hgncSymbol ?stat }
             OPTIONAL { ?entity cyto:recruits/cyto:hgncSymbol ?ad } }
           GROUP BY ?entity ?p ?pathway ?mechanism ORDER BY ?pathway""",
    ),
    "Drugs that target a subunit": (
        ("drug", "subunit targeted", "mechanism", "approval"),
        """SELECT DISTINCT ?entity ?d ?drug ?target ?mechanism ?approval
           WHERE { ?entity cyto:hasSubunit ?s .
             { ?d cyto:hasTarget ?s BIND (?s AS ?t) } UNION { ?s cyto:isFormOf ?t . ?d cyto:hasTarget ?t }
             ?t rdfs:label ?target . ?d rdfs:label ?drug ; cyto:hasMechanism/rdfs:label ?mechanism ;
                cyto:approvalStatus ?approval }
           ORDER BY ?drug""",
    ),
}

_FORM: dict[str, tuple[tuple[str, ...], str]] = {
    "Receptor complexes with this form": (
        ("receptor complex", "ligands"),
        """SELECT ?entity ?c ?complex (GROUP_CONCAT(DISTINCT ?ligand; SEPARATOR="|") AS ?ligands)
           WHERE { ?c cyto:hasSubunit ?entity ; rdfs:label ?complex .
             OPTIONAL { ?x cyto:hasReceptor ?c ; rdfs:label ?ligand } }
           GROUP BY ?entity ?c ?complex ORDER BY ?complex""",
    ),
    "What sources said about it": _CLAIMS_ABOUT,
}

_SOURCE: dict[str, tuple[tuple[str, ...], str]] = {
    "Claims from this source": (
        ("what the source said", "status", "how CytoKG corrects it"),
        """SELECT DISTINCT ?entity ?c ?text ?status ?correction
           WHERE { ?c a cyto:SourceClaim ; dcterms:source ?entity ; rdfs:label ?text ;
                      cyto:curationStatus/rdfs:label ?status .
             OPTIONAL { ?c cyto:correctedBy/cyto:correction ?correction } }
           ORDER BY ?status ?text""",
    ),
    "Statements it supports": (
        ("relation", "statements"),
        """SELECT ?entity ?p ?relation (COUNT(?ax) AS ?n)
           WHERE { ?ax owl:annotatedProperty ?p ; dcterms:source ?entity . ?p rdfs:label ?relation }
           GROUP BY ?entity ?p ?relation ORDER BY DESC(?n) ?relation""",
    ),
}

_CLAIM: dict[str, tuple[tuple[str, ...], str]] = {
    "What it is about": (
        ("entity",),
        """SELECT ?entity ?x ?name WHERE { { ?entity cyto:claimAbout ?x } UNION { ?entity cyto:claimAboutDisease ?x }
             ?x rdfs:label ?name } ORDER BY ?name""",
    ),
    "CytoKG statements based on it": (
        ("statement",),
        """SELECT ?entity ?x ?name WHERE { ?x cyto:basedOnClaim ?entity ; rdfs:label ?name } ORDER BY ?name""",
    ),
}

_CORRECTION: dict[str, tuple[tuple[str, ...], str]] = {
    "What the sources said": (
        ("what the source said", "source", "status"),
        """SELECT ?entity ?c ?text ?source ?status
           WHERE { ?c cyto:correctedBy ?entity ; rdfs:label ?text ; cyto:curationStatus/rdfs:label ?status .
             OPTIONAL { ?c dcterms:source/rdfs:label ?source } }
           ORDER BY ?text""",
    ),
    "Claims that say otherwise": (
        ("what the source said", "source"),
        """SELECT DISTINCT ?entity ?x ?text ?source
           WHERE { ?c cyto:correctedBy ?entity ; cyto:contradictedBy ?x . ?x rdfs:label ?text .
             OPTIONAL { ?x dcterms:source/rdfs:label ?source } }
           ORDER BY ?text""",
    ),
}

#: Sections by OBO prefix or CytoKG IRI path segment.
_BY_KIND = {
    "MONDO": _DISEASE,
    "CL": _CELL_TYPE,
    "GO": _PROCESS,
    "UBERON": _ANATOMY,
    "protein": _GENE_PRODUCT,
    "cytokine": _GENE_PRODUCT,
    "drug": _DRUG,
    "complex": _COMPLEX,
    "form": _FORM,
    "source": _SOURCE,
    "claim": _CLAIM,
    "correction": _CORRECTION,
}


def _kind(iri: str) -> str:
    if iri.startswith(str(OBO)):
        return iri[len(str(OBO)) :].split("_", 1)[0]
    return iri[len(BASE) :].split("/", 1)[0] if iri.startswith(BASE) else ""


def sections(
    run: Callable[[str, str | None, str | None], Answer], iri: str, local: Callable[[str], str | None]
) -> list[Table]:
    """The non-empty tables of ``iri``'s page, in reading order; ``local`` gives the page that serves an IRI."""
    found = []
    for title, (columns, query) in _BY_KIND.get(_kind(iri), {}).items():
        answer = run(PREFIXES + query.replace("TREATS", _TREATS).replace("INVOLVED", _INVOLVED), iri, None)
        shown = [i for i, name in enumerate(answer.variables) if name != "entity"]
        rows: list[tuple[str | None, list[str]]] = []
        for solution in answer.solutions:
            values = [_cell(term.value if term is not None else "") for term in (solution[i] for i in shown)]
            rows.append((local(values[0]), values[1:]))
        if rows:
            found.append(Table(title, columns, rows))
    return found
