"""Name gene products as the literature does: the curated common name is the label, HGNC's names are synonyms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from cytokg.compile.genes import HgncGene
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import OBOINOWL, RDFS, SKOS

__all__ = ["GeneName", "add_gene_name", "gene_names", "label_of", "symbol_key"]

_GREEK = str.maketrans("αβγδεκλω", "abgdeklw")


def symbol_key(name: str) -> str:
    """A name reduced for comparison with HGNC symbols: lower case, Greek letters as Latin, no hyphens or spaces.

    >>> symbol_key("IL-8"), symbol_key("TNF-\N{GREEK SMALL LETTER ALPHA}")
    ('il8', 'tnfa')
    """
    return name.lower().translate(_GREEK).replace("-", "").replace(" ", "")


@dataclass(frozen=True)
class GeneName:
    """What a gene product is called: its label, its exact synonyms and its related synonyms (symbols)."""

    label: str
    exact: tuple[str, ...]
    related: tuple[str, ...]


def _base_name(row: Row, gene: HgncGene) -> str:
    """The first curated common name, or the approved symbol where the curators give none."""
    common = split_multi(row["common_names"])
    return common[0] if common else gene.symbol


def _needs_symbol(base: str, gene: HgncGene, shared: Counter[str]) -> bool:
    """True where the name alone would mislead: it is a withdrawn symbol (IL-8) or two products share it."""
    if base == gene.symbol:
        return False
    withdrawn = {symbol_key(old) for old in gene.previous_symbols} - {symbol_key(gene.symbol)}
    return symbol_key(base) in withdrawn or shared[base] > 1


def gene_names(rows: list[Row], hgnc: dict[str, HgncGene]) -> dict[str, GeneName]:
    """Name every gene product of ``gene_products.tsv``: label ``NAME`` or ``NAME (SYMBOL)``, synonyms from the
    other common names, HGNC's approved name and its previous and alias symbols."""
    bases = {row["symbol"]: _base_name(row, hgnc[row["symbol"]]) for row in rows}
    shared = Counter(bases.values())
    names: dict[str, GeneName] = {}
    for row in rows:
        gene = hgnc[row["symbol"]]
        base = bases[gene.symbol]
        label = f"{base} ({gene.symbol})" if _needs_symbol(base, gene, shared) else base
        exact = [name for name in (*split_multi(row["common_names"]), gene.name) if name != label]
        related = [s for s in (*gene.previous_symbols, *gene.alias_symbols) if s != label and s not in exact]
        names[gene.symbol] = GeneName(label, tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(related)))
    return names


def add_gene_name(graph: Graph, node: URIRef, name: GeneName) -> None:
    """Write the label (``rdfs:label`` and ``skos:prefLabel``) and the synonyms of one gene product."""
    graph.add((node, RDFS.label, Literal(name.label, lang="en")))
    graph.add((node, SKOS.prefLabel, Literal(name.label, lang="en")))
    for synonym in name.exact:
        graph.add((node, OBOINOWL.hasExactSynonym, Literal(synonym)))
        graph.add((node, SKOS.altLabel, Literal(synonym, lang="en")))
    for symbol in name.related:
        graph.add((node, OBOINOWL.hasRelatedSynonym, Literal(symbol)))


def label_of(graph: Graph, node: URIRef) -> str:
    """The label of an entity the catalog already named (a gene product, form or heteromeric cytokine)."""
    label = graph.value(node, RDFS.label)
    if label is None:
        raise ValueError(f"{node} has no label yet: add the catalog before the facts that name it")
    return str(label)
