"""Gene products carry the names biologists use: the label is the common name, HGNC's names are synonyms."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from cytokg.compile.curated import Curated
from cytokg.compile.facts import entity_iri, protein_iri
from cytokg.compile.names import symbol_key
from cytokg.compile.tables import split_multi
from cytokg.namespaces import CYTO, OBOINOWL, RDF, RDFS, SKOS

from .conftest import need_refdata

#: The names the literature uses for seven gene products (issue 17), by HGNC symbol.
EXAMPLES = {
    "IL6": "IL-6",
    "CXCL8": "IL-8 (CXCL8)",
    "LIF": "LIF",
    "TNFSF11": "RANKL",
    "KITLG": "SCF",
    "IL1F10": "IL-38",
    "IL6ST": "gp130",
}
_WITH_SYMBOL = re.compile(r"^(?P<name>.+) \((?P<symbol>[A-Z0-9-]+)\)$")


@pytest.fixture(scope="module")
def compiled(compiled_reads: tuple[Graph, Curated, set[tuple[str, str]]]) -> tuple[Graph, Curated]:
    graph, curated, _ = compiled_reads
    return graph, curated


def _protein(curated: Curated, symbol: str) -> URIRef:
    return protein_iri(curated.hgnc[symbol])


def _one(graph: Graph, node: Node, predicate: URIRef) -> str:
    values = list(graph.objects(node, predicate))
    assert len(values) == 1, f"{node} has {len(values)} values of {predicate}: {values}"
    return str(values[0])


def test_the_named_examples(compiled: tuple[Graph, Curated]) -> None:
    graph, curated = compiled
    for symbol, name in EXAMPLES.items():
        node = _protein(curated, symbol)
        assert _one(graph, node, RDFS.label) == name, symbol
        assert _one(graph, node, SKOS.prefLabel) == name, symbol


def test_hgnc_names_and_symbols_are_synonyms(compiled: tuple[Graph, Curated]) -> None:
    graph, curated = compiled
    il8 = _protein(curated, "CXCL8")
    exact = {str(o) for o in graph.objects(il8, OBOINOWL.hasExactSynonym)}
    assert {"C-X-C motif chemokine ligand 8", "IL-8", "interleukin 8"} <= exact
    assert {str(o) for o in graph.objects(il8, SKOS.altLabel)} == exact
    assert "IL8" in {str(o) for o in graph.objects(il8, OBOINOWL.hasRelatedSynonym)}, "HGNC's withdrawn symbol"
    for row in curated.rows("gene_products.tsv"):
        gene = curated.hgnc[row["symbol"]]
        node = protein_iri(gene)
        label = _one(graph, node, RDFS.label)
        names = {str(o) for o in graph.objects(node, OBOINOWL.hasExactSynonym)}
        related = {str(o) for o in graph.objects(node, OBOINOWL.hasRelatedSynonym)}
        assert gene.name == label or gene.name in names, f"{gene.symbol}: HGNC's approved name is not a synonym"
        for name in split_multi(row["common_names"]):
            assert name == label or name in names, f"{gene.symbol}: common name '{name}' lost"
        for symbol in (*gene.previous_symbols, *gene.alias_symbols):
            assert symbol in {label} | names | related, f"{gene.symbol}: HGNC symbol '{symbol}' lost"


def test_preferred_label_is_the_label_and_never_an_alternative(compiled: tuple[Graph, Curated]) -> None:
    """SKOS: one preferred label per language, disjoint from the alternative labels; nothing in the TBox makes
    a property whose values include the label (common name, symbol) a sub-property of ``skos:altLabel``."""
    graph, _ = compiled
    nodes = set(graph.subjects(SKOS.prefLabel, None))
    assert len(nodes) > 380
    for node in nodes:
        preferred = _one(graph, node, SKOS.prefLabel)
        assert preferred == _one(graph, node, RDFS.label), node
        assert preferred not in {str(o) for o in graph.objects(node, SKOS.altLabel)}, node
    assert not set(graph.subjects(RDFS.subPropertyOf, SKOS.altLabel)), "a reasoner would copy labels into altLabel"


def test_every_label_is_unique_or_disambiguated(compiled: tuple[Graph, Curated]) -> None:
    graph, curated = compiled
    named = [_protein(curated, row["symbol"]) for row in curated.rows("gene_products.tsv")]
    named += [entity_iri("cytokine", row["complex_id"]) for row in curated.rows("cytokine_complexes.tsv")]
    labels = Counter(_one(graph, node, RDFS.label) for node in named)
    assert [label for label, count in labels.items() if count > 1] == []
    shared = {_one(graph, _protein(curated, s), RDFS.label) for s in ("CCL3L1", "CCL3L3")}
    assert shared == {"LD78β (CCL3L1)", "LD78β (CCL3L3)"}, "two products share a common name: symbols tell them apart"


def test_every_label_is_traceable_to_hgnc_or_the_curators(compiled: tuple[Graph, Curated]) -> None:
    """A label is the first curated common name (or the symbol where there is none); a symbol in brackets is the
    approved HGNC symbol, added where the name is a symbol HGNC withdrew or is shared; checked against HGNC."""
    refdata = need_refdata()
    with (refdata / "hgnc" / "hgnc_complete_set.txt").open(encoding="utf-8", newline="") as handle:
        hgnc = {record["symbol"]: record for record in csv.DictReader(handle, delimiter="\t")}
    graph, curated = compiled
    rows = list(curated.rows("gene_products.tsv"))
    firsts = Counter(split_multi(row["common_names"])[0] for row in rows if row["common_names"])
    for row in rows:
        symbol = row["symbol"]
        record = hgnc[symbol]
        label = _one(graph, _protein(curated, symbol), RDFS.label)
        common = split_multi(row["common_names"])
        match = _WITH_SYMBOL.match(label)
        if match and match["symbol"] == symbol:
            name = match["name"]
            withdrawn = {symbol_key(s) for s in record["prev_symbol"].split("|") if s}
            assert symbol_key(name) in withdrawn or firsts[name] > 1, f"{label}: the symbol is not needed"
        else:
            name = label
        assert name == (common[0] if common else symbol), f"{symbol}: '{name}' is not the first curated name"
        assert (graph.value(_protein(curated, symbol), CYTO.hgncSymbol)) == Literal(record["symbol"])
        synonyms = {str(o) for o in graph.objects(_protein(curated, symbol), OBOINOWL.hasExactSynonym)}
        assert record["name"] in {label} | synonyms, f"{symbol}: HGNC's approved name is neither label nor synonym"


def test_generated_labels_use_the_names(compiled: tuple[Graph, Curated]) -> None:
    """Association and role labels built from a gene name the gene by its label, never by its symbol, and a
    role's source by its title, never by its key."""
    graph, _ = compiled
    association = _one(graph, entity_iri("association", "A-C000-22"), RDFS.label)
    assert association.startswith("IL-6 in inflammatory disease"), association
    roles = [str(o) for s in graph.subjects(RDF.type, CYTO.RoleAssertion) for o in graph.objects(s, RDFS.label)]
    assert any(label.startswith("pro-inflammatory role of IL-6 ") for label in roles), roles[:5]
    assert not any(" of IL6 " in label or "(src-" in label for label in roles), "a symbol or a source's key"
