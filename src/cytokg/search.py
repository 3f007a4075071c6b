"""Find entities by any name people use: labels, symbols, previous and alias symbols, common names, IDs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .store import Queryable

__all__ = ["SearchIndex", "normalise"]

#: Name property → (kind of match, rank weight): exact matches on stronger names rank first.
_NAME_QUERY = """
PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
SELECT ?entity ?property ?name ?label WHERE {
  VALUES ?property { cyto:hgncSymbol cyto:commonName rdfs:label cyto:previousSymbol cyto:aliasSymbol
                     oboInOwl:hasExactSynonym cyto:hgncId cyto:uniprotAccession cyto:ncbiGeneId
                     cyto:ensemblGeneId cyto:drugbankId oboInOwl:hasDbXref }
  ?entity ?property ?name .
  FILTER (isIRI(?entity) && STRSTARTS(STR(?entity), "https://w3id.org/cytokg/"))
  OPTIONAL { ?entity rdfs:label ?label }
}
"""
_WEIGHT = {
    "hgncSymbol": 10,
    "hgncId": 10,
    "uniprotAccession": 10,
    "ncbiGeneId": 9,
    "ensemblGeneId": 9,
    "drugbankId": 10,
    "hasDbXref": 9,
    "commonName": 8,
    "label": 8,
    "hasExactSynonym": 7,
    "previousSymbol": 6,
    "aliasSymbol": 5,
}


def normalise(text: str) -> str:
    """Fold case, accents, Greek letters and punctuation so 'IL-1β', 'il1b' and 'IL 1 beta' meet.

    >>> normalise("IL-1β") == normalise("IL1b") == normalise("il 1 beta")
    True
    """
    greek = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k", "λ": "l", "ω": "w"}  # noqa: RUF001
    words = {"alpha": "a", "beta": "b", "gamma": "g", "delta": "d", "epsilon": "e", "kappa": "k", "lambda": "l"}
    text = "".join(greek.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\b(alpha|beta|gamma|delta|epsilon|kappa|lambda)\b", lambda m: words[m.group(1)], text)
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class Hit:
    """One search result."""

    iri: str
    label: str
    matched: str
    field: str
    score: int


class SearchIndex:
    """An in-memory index of every name of every CytoKG entity (small: built at start-up)."""

    def __init__(self, store: Queryable) -> None:
        self.entries: list[tuple[str, str, str, str, str]] = []
        for solution in store.query(_NAME_QUERY):
            entity = solution["entity"].value
            field = solution["property"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            name = solution["name"].value
            label = solution["label"].value if solution["label"] is not None else name
            self.entries.append((normalise(name), name, field, entity, label))

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Ranked hits: exact normalised match, then prefix, then substring; stronger fields first."""
        key = normalise(query)
        if not key:
            return []
        best: dict[str, Hit] = {}
        for normal, name, field, entity, label in self.entries:
            if normal == key:
                score = 100 + _WEIGHT.get(field, 1)
            elif normal.startswith(key):
                score = 50 + _WEIGHT.get(field, 1) - min(len(normal) - len(key), 20)
            elif len(key) >= 3 and key in normal:
                score = 20 + _WEIGHT.get(field, 1)
            else:
                continue
            if entity not in best or best[entity].score < score:
                best[entity] = Hit(entity, label, name, field, score)
        return sorted(best.values(), key=lambda h: (-h.score, h.label))[:limit]
