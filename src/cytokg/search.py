"""Find entities by any name people use: labels, symbols, previous and alias symbols, common names, IDs."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from cytokg.release import SEARCH_FILE
from cytokg.store import Queryable

__all__ = ["SEARCH_FILE", "SearchIndex", "normalise", "write_index"]

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


def write_index(store: Queryable, path: Path) -> None:
    """Write every name of every CytoKG entity into an SQLite file that all web workers share, read-only."""
    rows = []
    solutions = store.query(_NAME_QUERY)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise TypeError("the name query must be a SELECT query")
    for solution in solutions:
        entity = solution["entity"].value
        field = solution["property"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        name = solution["name"].value
        label = solution["label"].value if solution["label"] is not None else name
        rows.append((normalise(name), name, field, entity, label))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    with closing(sqlite3.connect(temporary)) as db:
        db.execute("CREATE TABLE names (normal TEXT, name TEXT, field TEXT, entity TEXT, label TEXT)")
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", sorted(rows))
        db.execute("CREATE INDEX names_by_normal ON names (normal)")
        db.commit()
    os.replace(temporary, path)


class SearchIndex:
    """Every name of every CytoKG entity, in an SQLite file opened read-only: no per-worker copy in memory."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def names(self) -> list[tuple[str, str, str, str, str]]:
        """Every (normalised name, name, field, entity, label)."""
        with self._lock:
            return list(self._db.execute("SELECT normal, name, field, entity, label FROM names"))

    def _candidates(self, key: str) -> list[tuple[str, str, str, str, str]]:
        """Names equal to, starting with, or (keys of 3+ characters) containing ``key``."""
        columns = "SELECT normal, name, field, entity, label FROM names WHERE "
        with self._lock:
            if len(key) >= 3:
                return list(self._db.execute(columns + "instr(normal, ?) > 0", (key,)))
            return list(self._db.execute(columns + "normal >= ? AND normal < ?", (key, key + "\uffff")))

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Ranked hits: exact normalised match, then prefix, then substring; stronger fields first."""
        key = normalise(query)
        if not key:
            return []
        best: dict[str, Hit] = {}
        for normal, name, field, entity, label in self._candidates(key):
            if normal == key:
                score = 100 + _WEIGHT.get(field, 1)
            elif normal.startswith(key):
                score = 50 + _WEIGHT.get(field, 1) - min(len(normal) - len(key), 20)
            else:
                score = 20 + _WEIGHT.get(field, 1)
            if entity not in best or best[entity].score < score:
                best[entity] = Hit(entity, label, name, field, score)
        return sorted(best.values(), key=lambda h: (-h.score, h.label))[:limit]
