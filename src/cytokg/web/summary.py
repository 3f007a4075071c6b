"""The summary that opens every entity page: name, symbol, kind, definition, synonyms, parents and identifiers.

Built from the entity's own statements (the rows ``Describer`` already fetched), so it costs no query of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from cytokg.namespaces import BASE, OBO

__all__ = ["Fact", "Identifier", "Summary", "kind_of", "ols_link", "summarize"]

_CYTO = f"{BASE}vocab/"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_OIO = "http://www.geneontology.org/formats/oboInOwl#"
_DCTERMS = "http://purl.org/dc/terms/"


@dataclass(frozen=True)
class Fact:
    """One outgoing statement of the entity: property IRI, value, the value's label, and whether it is an IRI."""

    prop: str
    value: str
    label: str
    is_iri: bool


@dataclass(frozen=True)
class Identifier:
    """An identifier in another resource, with a link to that resource's page where there is one."""

    resource: str
    value: str
    url: str | None


@dataclass
class Summary:
    """What a reader needs first about an entity."""

    name: str
    kind: str
    symbol: str = ""
    definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    previous_symbols: list[str] = field(default_factory=list)
    parents: list[tuple[str, str]] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)


#: The kind of an OBO term in biologists' words, by its ontology prefix.
_OBO_KINDS = {
    "CL": "cell type",
    "MONDO": "disease",
    "GO": "biological process",
    "UBERON": "tissue, organ or body fluid",
    "CHEBI": "chemical entity",
    "ECO": "kind of evidence",
    "RO": "relation",
}
#: The kind of a CytoKG entity, by the first segment of its IRI path.
_OWN_KINDS = {
    "protein": "gene product",
    "form": "protein form",
    "complex": "receptor complex",
    "cytokine": "cytokine made of several chains",
    "drug": "drug",
    "source": "source",
    "claim": "what a source said",
    "correction": "what CytoKG models where a source is simplified, disputed or wrong",
    "association": "disease association",
    "role": "inflammatory role",
    "listing": "ligand-receptor pair listed by a resource",
    "vocab": "CytoKG term",
}
#: Ontologies OLS4 serves, by OBO prefix, with their names.
_OLS = {
    "CL": "Cell Ontology",
    "MONDO": "Mondo Disease Ontology",
    "GO": "Gene Ontology",
    "UBERON": "Uberon anatomy ontology",
    "CHEBI": "ChEBI",
    "ECO": "Evidence & Conclusion Ontology",
    "RO": "Relation Ontology",
}
#: Identifier properties: property IRI → (resource, link template for the value or None).
_IDENTIFIERS = {
    f"{_CYTO}hgncId": ("HGNC", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/{}"),
    f"{_CYTO}uniprotAccession": ("UniProt", "https://www.uniprot.org/uniprotkb/{}/entry"),
    f"{_CYTO}ncbiGeneId": ("NCBI Gene", "https://www.ncbi.nlm.nih.gov/gene/{}"),
    f"{_CYTO}ensemblGeneId": ("Ensembl", "https://www.ensembl.org/id/{}"),
    f"{_CYTO}drugbankId": ("DrugBank", "https://go.drugbank.com/drugs/{}"),
    f"{_CYTO}chebiId": ("ChEBI", "https://www.ebi.ac.uk/chebi/searchId.do?chebiId={}"),
}
_SYNONYMS = (
    f"{_CYTO}commonName",
    f"{_CYTO}aliasSymbol",
    f"{_OIO}hasExactSynonym",
    f"{_OIO}hasRelatedSynonym",
    f"{_SKOS}altLabel",
)
_DEFINITIONS = (f"{OBO}IAO_0000115", f"{_RDFS}comment", f"{_DCTERMS}description")
#: Classes every entity of a kind has; they say nothing the kind does not already say.
_GENERIC_TYPES = {f"{_CYTO}GeneProduct", f"{_OWL}NamedIndividual", f"{_OWL}Class", f"{_OWL}Axiom"}


def kind_of(iri: str) -> str:
    """The kind of entity an IRI names, in words.

    >>> kind_of("http://purl.obolibrary.org/obo/CL_0000235"), kind_of("https://w3id.org/cytokg/drug/DB06273")
    ('cell type', 'drug')
    """
    if iri.startswith(str(OBO)):
        return _OBO_KINDS.get(iri[len(str(OBO)) :].split("_", 1)[0], "ontology term")
    if iri.startswith(BASE):
        return _OWN_KINDS.get(iri[len(BASE) :].split("/", 1)[0], "CytoKG entity")
    return "entity"


def ols_link(iri: str) -> str | None:
    """The OLS4 page of an OBO term (its IRI encoded twice, as OLS4 expects), or None outside OLS's ontologies.

    >>> ols_link("http://purl.obolibrary.org/obo/CL_0000235")
    'https://www.ebi.ac.uk/ols4/ontologies/cl/classes/http%253A%252F%252Fpurl.obolibrary.org%252Fobo%252FCL_0000235'
    """
    if not iri.startswith(str(OBO)):
        return None
    prefix = iri[len(str(OBO)) :].split("_", 1)[0]
    if prefix not in _OLS:
        return None
    return f"https://www.ebi.ac.uk/ols4/ontologies/{prefix.lower()}/classes/{quote(quote(iri, safe=''), safe='')}"


def _identifier(fact: Fact, iri: str) -> Identifier | None:
    if fact.prop in _IDENTIFIERS:
        resource, template = _IDENTIFIERS[fact.prop]
        return Identifier(resource, fact.value, template.format(quote(fact.value, safe=":")))
    if fact.prop == f"{_OIO}id":
        ontology = _OLS.get(fact.value.split(":", 1)[0], "OBO")
        return Identifier(f"{ontology} (OLS)", fact.value, ols_link(iri))
    if fact.prop == f"{_DCTERMS}identifier":
        if fact.value.startswith("PMID:"):
            return Identifier("PubMed", fact.value, f"https://pubmed.ncbi.nlm.nih.gov/{fact.value[5:]}/")
        return Identifier("identifier", fact.value, fact.value if fact.value.startswith("https://") else None)
    return None


def _unique(values: list[str], leave_out: set[str]) -> list[str]:
    return sorted({v for v in values if v and v not in leave_out}, key=str.casefold)


def summarize(iri: str, facts: list[Fact], local: Callable[[str], str | None]) -> Summary:
    """The summary of ``iri`` from its outgoing statements; ``local`` gives the page that serves an IRI."""
    by_prop: dict[str, list[Fact]] = {}
    for fact in facts:
        by_prop.setdefault(fact.prop, []).append(fact)

    def values(*props: str) -> list[str]:
        return [f.value for p in props for f in by_prop.get(p, []) if not f.is_iri]

    name = min(values(f"{_SKOS}prefLabel") or values(f"{_RDFS}label"), default=iri.rsplit("/", 1)[-1])
    symbol = min(values(f"{_CYTO}hgncSymbol"), default="")
    summary = Summary(name=name, kind=kind_of(iri), symbol=symbol)
    summary.definition = next((v for p in _DEFINITIONS for v in sorted(values(p))), "")
    summary.synonyms = _unique(values(*_SYNONYMS), {name, symbol})
    summary.previous_symbols = _unique(values(f"{_CYTO}previousSymbol"), {symbol})
    parents = [
        f
        for p in (_RDF_TYPE, f"{_RDFS}subClassOf", f"{_CYTO}isFormOf")
        for f in by_prop.get(p, [])
        if f.is_iri and f.value not in _GENERIC_TYPES and f.label != f.value
    ]
    summary.parents = sorted({(f.label, local(f.value) or "") for f in parents}, key=lambda p: p[0].casefold())
    cited = [f for f in by_prop.get(f"{_DCTERMS}source", []) if f.is_iri and f.label != f.value]
    summary.sources = sorted({(f.label, local(f.value) or "") for f in cited})
    identifiers = [i for f in facts if (i := _identifier(f, iri)) is not None]
    summary.identifiers = sorted(set(identifiers), key=lambda i: (i.resource, i.value))
    return summary
