"""Find every entity that has a page by any name people use: labels, synonyms, symbols, CURIEs and identifiers.

The build writes the names into an SQLite file (``write_index``); web workers open it read-only
(``SearchIndex``). Ranking: exact > prefix > word > substring match of the normalised text; within one
kind of match, the entity's own names (labels, symbols, exact synonyms, IDs) before previous and alias
symbols and cross-references, and those before related/broader/narrower synonyms; then the kind's priority,
the shortest completion, the name's field and the label. Every lookup is an index range scan, a trigram
full-text match or a key lookup, never a scan of all names.

``text:matches``: the search index in SPARQL, as QLever's ``ql:contains-word`` or Fuseki's ``text:query``.

With ``PREFIX text: <https://w3id.org/cytokg/text#>``, the triple pattern ``?entity text:matches "words"``
binds ``?entity`` to the entities whose names match the words as the site's search does (exact, prefix,
word start or substring of any label, synonym, symbol or identifier, with accents, case, Greek letters and
punctuation folded), best first, at most ``TEXT_LIMIT`` of them.

Oxigraph has no hook for a property function, so the query process replaces the pattern, before the store
sees the query, by ``VALUES ?entity { … }`` holding the index's hits: the words are only a key for the
index (an SQLite parameter), never query text, and only IRIs from the index are written into the query.
The pattern must stand alone: a variable subject, the property (prefixed or as a full IRI) and one plain
string, then ``.`` or ``}``. The property anywhere else is an error, so it never silently matches nothing.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph

from cytokg.iris import BASE, OBO_PREFIX
from cytokg.release import SEARCH_FILE
from cytokg.sparql.lexemes import lexemes
from cytokg.store import Queryable

__all__ = [
    "FIELDS",
    "KINDS",
    "LOOKUPS",
    "MATCHES",
    "PRIORITY",
    "SEARCH_FILE",
    "TEXT",
    "TEXT_LIMIT",
    "TEXT_MATCHES",
    "TEXT_PATTERNS",
    "Hit",
    "SearchIndex",
    "TextSearchError",
    "expand_text_search",
    "normalise",
    "write_index",
]

_PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""
#: Property local name → (the field in words, group): 0 the entity's own names and IDs, 1 previous and alias
#: symbols and cross-references, 2 synonyms that name something near the entity (related, broader, narrower).
FIELDS: dict[str, tuple[str, int]] = {
    "hgncSymbol": ("HGNC symbol", 0),
    "hgncId": ("HGNC ID", 0),
    "uniprotAccession": ("UniProt accession", 0),
    "drugbankId": ("DrugBank ID", 0),
    "chebiId": ("ChEBI ID", 0),
    "id": ("ontology ID", 0),
    "identifier": ("identifier", 0),
    "iri": ("IRI", 0),
    "label": ("name", 0),
    "commonName": ("common name", 0),
    "prefLabel": ("name", 0),
    "hasExactSynonym": ("synonym", 0),
    "altLabel": ("other name", 0),
    "ncbiGeneId": ("NCBI Gene ID", 0),
    "ensemblGeneId": ("Ensembl gene ID", 0),
    "previousSymbol": ("previous HGNC symbol", 1),
    "hasDbXref": ("cross-reference", 1),
    "aliasSymbol": ("alias symbol", 1),
    "hasRelatedSynonym": ("related synonym", 2),
    "hasBroadSynonym": ("broader synonym", 2),
    "hasNarrowSynonym": ("narrower synonym", 2),
}
#: Among otherwise equal names, the field's place in ``FIELDS``: a term's label before another's synonym.
_FIELD_ORDER = {field: place for place, field in enumerate(FIELDS)}
#: Kinds of entity in biologists' words, by a CytoKG IRI's path segment or an OBO prefix (GO terms by aspect).
KINDS: dict[str, str] = {
    "protein": "gene product",
    "cytokine": "cytokine",
    "complex": "receptor complex",
    "form": "protein form",
    "drug": "drug",
    "MONDO": "disease",
    "CL": "cell type",
    "GO": "GO term",
    "UBERON": "anatomy",
    "CHEBI": "chemical",
    "source": "source",
    "claim": "source claim",
    "correction": "correction of a source",
    "association": "disease association",
    "role": "inflammatory role",
    "listing": "ligand-receptor listing",
    "vocab": "CytoKG vocabulary",
    "ECO": "evidence type",
    "RO": "relation",
}
#: Kinds of entity, first first among equal matches.
PRIORITY = (
    "gene product", "cytokine", "receptor complex", "protein form", "drug", "disease", "cell type",
    "biological process", "molecular function", "anatomy", "chemical", "source", "source claim",
    "correction of a source",
    "disease association", "inflammatory role", "ligand-receptor listing", "CytoKG vocabulary", "GO term",
    "evidence type", "relation",
)  # fmt: skip
#: Kinds of match, best first, with the words ``Hit.why`` uses.
MATCHES = ("exact", "prefix", "word", "substring")
_WHY = {
    "exact": "exact match on {named}",
    "prefix": "{named} starts with “{query}”",
    "word": "a word in {named} starts with “{query}”",
    "substring": "{named} contains “{query}”",
}
_NAME_QUERY = (
    _PREFIXES
    + """SELECT ?entity ?property ?name WHERE {
  VALUES ?property { rdfs:label skos:prefLabel skos:altLabel cyto:commonName cyto:hgncSymbol cyto:previousSymbol
                     cyto:aliasSymbol oboInOwl:hasExactSynonym oboInOwl:hasRelatedSynonym oboInOwl:hasBroadSynonym
                     oboInOwl:hasNarrowSynonym oboInOwl:id oboInOwl:hasDbXref cyto:hgncId cyto:uniprotAccession
                     cyto:ncbiGeneId cyto:ensemblGeneId cyto:drugbankId cyto:chebiId dcterms:identifier }
  ?entity ?property ?name .
  FILTER (isIRI(?entity) && isLiteral(?name))
}"""
)
_LABEL_QUERY = (
    _PREFIXES + "SELECT ?entity (MIN(STR(?label)) AS ?name) WHERE { ?entity rdfs:label ?label } GROUP BY ?entity"
)
#: GO terms' aspect: the GO root, process or function, that the term's imported is_a ancestors reach.
_GO_QUERY = (
    _PREFIXES
    + """SELECT DISTINCT ?entity ?aspect WHERE {
  { ?entity rdfs:subClassOf* obo:GO_0008150 BIND("biological process" AS ?aspect) }
  UNION { ?entity rdfs:subClassOf* obo:GO_0003674 BIND("molecular function" AS ?aspect) }
}"""
)
#: (IRI, label, kind, name, field, normalised name) of one matching name; its rank, smallest first.
_Row = tuple[str, str, str, str, str, str]
_Rank = tuple[int, int, int, int, int, str]
#: Each lookup reads at most 3000 rows (a one-letter key starts thousands of names).
_RANGE_SQL = """SELECT e.iri, e.label, e.kind, n.name, n.field, n.normal, k.word FROM keys k
JOIN names n ON n.id = k.name JOIN entities e ON e.id = n.entity WHERE k.key >= ? AND k.key < ? LIMIT 3000"""
_GRAM_SQL = """SELECT e.iri, e.label, e.kind, n.name, n.field, n.normal, 0 FROM grams
JOIN names n ON n.id = grams.rowid JOIN entities e ON e.id = n.entity WHERE grams MATCH ? LIMIT 3000"""
_IRI_SQL = "SELECT e.iri, e.label, e.kind, e.iri, 'iri', ?, 0 FROM entities e WHERE e.iri = ?"
#: The lookups a search runs, for tests that check each uses an index.
LOOKUPS = (_RANGE_SQL, _GRAM_SQL, _IRI_SQL)


def normalise(text: str) -> str:
    """Fold case, accents, Greek letters, possessives and punctuation so 'IL-1β', 'il1b' and 'IL 1 beta' meet.

    >>> normalise("IL-1β") == normalise("IL1b") == normalise("il 1 beta")
    True
    >>> normalise("Crohn's disease") == normalise("Crohn\u2019s disease") == normalise("Crohn disease")
    True
    """
    greek = {"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k", "λ": "l", "ω": "w"}  # noqa: RUF001
    words = {"alpha": "a", "beta": "b", "gamma": "g", "delta": "d", "epsilon": "e", "kappa": "k", "lambda": "l"}
    text = "".join(greek.get(ch, ch) for ch in text.lower())
    text = re.sub(r"(?<=\w)['\u2019]s\b", "", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\b(alpha|beta|gamma|delta|epsilon|kappa|lambda)\b", lambda m: words[m.group(1)], text)
    return re.sub(r"[^a-z0-9]", "", text)


def word_keys(name: str) -> Iterator[str]:
    """The normalised text from the start of each word after the first: 'T-helper 17 cell' → helper17cell, 17cell, cell.

    >>> list(word_keys("T-helper 17 cell"))
    ['helper17cell', '17cell', 'cell']
    """
    for match in re.finditer(r"(?<=[^\w])\w", name):
        key = normalise(name[match.start() :])
        if key:
            yield key


@dataclass(frozen=True)
class Hit:
    """One search result: the entity, its kind in words, and which of its names matched and how."""

    iri: str
    label: str
    kind: str
    field: str
    matched: str
    match: str
    why: str


def kind_of(iri: str, aspects: dict[str, str]) -> str | None:
    """The kind of entity an IRI names, in words, or None if it has no page here.

    >>> kind_of("http://purl.obolibrary.org/obo/CL_0000235", {}), kind_of(BASE + "drug/DB06273", {})
    ('cell type', 'drug')
    """
    if iri.startswith(BASE):
        segment = iri[len(BASE) :].split("/", 1)[0]
    elif iri.startswith(OBO_PREFIX):
        segment = iri[len(OBO_PREFIX) :].split("_", 1)[0]
        if segment == "GO":
            return aspects.get(iri, "GO term")
    else:
        return None
    return KINDS.get(segment)


def _select(store: Queryable, query: str) -> Iterable[pyoxigraph.QuerySolution]:
    solutions = store.query(query)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise TypeError("a search-index query must be a SELECT query")
    return solutions


def _local(term: pyoxigraph.NamedNode) -> str:
    return term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def write_index(store: Queryable, path: Path) -> None:
    """Write every name of every entity that has a page into an SQLite file that all web workers share, read-only."""
    aspects = {solution["entity"].value: solution["aspect"].value for solution in _select(store, _GO_QUERY)}
    labels = {solution["entity"].value: solution["name"].value for solution in _select(store, _LABEL_QUERY)}
    names: dict[str, set[tuple[str, str]]] = {}
    for solution in _select(store, _NAME_QUERY):
        names.setdefault(solution["entity"].value, set()).add((solution["name"].value, _local(solution["property"])))
    entities: list[tuple[int, str, str, str]] = []
    name_rows: list[tuple[int, int, str, str, str]] = []
    key_rows: list[tuple[str, int, int]] = []
    for iri in sorted(names):
        kind = kind_of(iri, aspects)
        if kind is None:
            continue
        entity = len(entities) + 1
        entities.append((entity, iri, labels.get(iri) or min(names[iri])[0], kind))
        for name, field in sorted(names[iri]):
            normal = normalise(name)
            if not normal:
                continue
            name_rows.append((len(name_rows) + 1, entity, name, field, normal))
            key_rows.append((normal, len(name_rows), 0))
            key_rows.extend((key, len(name_rows), 1) for key in set(word_keys(name)))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    with closing(sqlite3.connect(temporary)) as db:
        db.executescript("""
            CREATE TABLE entities (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, kind TEXT);
            CREATE TABLE names (id INTEGER PRIMARY KEY, entity INTEGER, name TEXT, field TEXT, normal TEXT);
            CREATE TABLE keys (key TEXT, name INTEGER, word INTEGER);
            CREATE VIRTUAL TABLE grams USING fts5(normal, tokenize='trigram', content='names', content_rowid='id');
        """)
        db.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)", entities)
        db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", name_rows)
        db.executemany("INSERT INTO keys VALUES (?, ?, ?)", sorted(key_rows))
        db.executescript("""
            CREATE INDEX keys_by_key ON keys (key);
            INSERT INTO grams (grams) VALUES ('rebuild');
        """)
        db.commit()
    os.replace(temporary, path)


def _rank(key: str, match: str, row: _Row, order: dict[str, int]) -> _Rank:
    """Kind of match, field group, kind of entity, how much of the name the key leaves, field, label."""
    _, label, kind, _, field, normal = row
    return (
        MATCHES.index(match),
        FIELDS.get(field, ("", 2))[1],
        order.get(kind, 99),
        len(normal) - len(key),
        _FIELD_ORDER.get(field, len(FIELDS)),
        label.lower(),
    )


class SearchIndex:
    """Every name of every entity with a page, in an SQLite file opened read-only: no per-worker copy in memory."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._order = {kind: rank for rank, kind in enumerate(PRIORITY)}

    def names(self) -> list[tuple[str, str, str, str, str]]:
        """Every (normalised name, name, field, entity IRI, kind)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT n.normal, n.name, n.field, e.iri, e.kind FROM names n, entities e ON e.id = n.entity"
            )
            return list(rows)

    def plan(self, sql: str) -> list[str]:
        """SQLite's plan for one of ``LOOKUPS``: how it reads the tables."""
        with self._lock:
            return [row[3] for row in self._db.execute("EXPLAIN QUERY PLAN " + sql, ("x",) * sql.count("?"))]

    def _rows(self, query: str, key: str) -> Iterator[tuple[str, _Row]]:
        """(kind of match, row) for every name the key matches: the IRI itself, a name or word start, a substring."""
        with self._lock:
            by_iri = list(self._db.execute(_IRI_SQL, (key, query))) if query.startswith(("http://", "https://")) else []
            ranged = list(self._db.execute(_RANGE_SQL, (key, key + "~")))
            grams = list(self._db.execute(_GRAM_SQL, (f'"{key}"',))) if len(key) >= 3 else []
        for iri, label, kind, name, field, normal, _ in by_iri:
            yield "exact", (iri, label, kind, name, field, normal)
        for iri, label, kind, name, field, normal, word in ranged:
            match = "word" if word else "exact" if normal == key else "prefix"
            yield match, (iri, label, kind, name, field, normal)
        for iri, label, kind, name, field, normal, _ in grams:
            yield "substring", (iri, label, kind, name, field, normal)

    def _ranked(self, query: str) -> list[Hit]:
        """Every hit, best first: one per entity, with the name that matched best and why."""
        key = normalise(query)
        if not key:
            return []
        best: dict[str, tuple[_Rank, Hit]] = {}
        for match, row in self._rows(query.strip(), key):
            iri, label, kind, name, field, _ = row
            rank = _rank(key, match, row, self._order)
            if iri in best and best[iri][0] <= rank:
                continue
            words = FIELDS.get(field, (field, 2))[0]
            named = f"the {words}" if name == label else f"{words} “{name}”"
            why = _WHY[match].format(named=named, query=query.strip())
            best[iri] = (rank, Hit(iri, label, kind, words, name, match, why))
        return [hit for _, hit in sorted(best.values(), key=lambda pair: pair[0])]

    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """The first ``limit`` hits, best first; only entities of ``kind`` (one of ``PRIORITY``) if given."""
        hits = self._ranked(query)
        return [hit for hit in hits if kind in (None, hit.kind)][:limit]

    def kinds(self, query: str) -> list[tuple[str, int]]:
        """How many entities of each kind match, in ``PRIORITY`` order."""
        counts = Counter(hit.kind for hit in self._ranked(query))
        return [(kind, counts[kind]) for kind in PRIORITY if counts[kind]]


# ``text:matches``: the index in SPARQL.

TEXT = "https://w3id.org/cytokg/text#"
TEXT_MATCHES = TEXT + "matches"
#: The most entities one ``text:matches`` pattern binds (Fuseki's text:query has a limit too).
TEXT_LIMIT = 1000
#: The most ``text:matches`` patterns one query may have: each becomes up to ``TEXT_LIMIT`` IRIs of query text.
TEXT_PATTERNS = 8
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SKIPPED = ("space", "comment")


class TextSearchError(SyntaxError):
    """``text:matches`` used where it cannot be expanded (the query is refused with 400)."""


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ESCAPES.get(match.group(3), match.group(0))

    return _ESCAPE.sub(one, text)


def _string(lexeme: str) -> str:
    quote = 3 if lexeme[:3] in ('"""', "'''") else 1
    return _unescape(lexeme[quote:-quote])


def _prefixes(parts: list[tuple[str, str]], significant: list[int]) -> dict[str, str]:
    """The prefixes the query declares (``PREFIX p: <iri>``, each a lexeme of its own)."""
    declared = {}
    for place, index in enumerate(significant[:-2]):
        kind, lexeme = parts[index]
        if kind == "word" and lexeme.lower() == "prefix":
            (name_kind, name), (iri_kind, iri) = parts[significant[place + 1]], parts[significant[place + 2]]
            if name_kind == "name" and name.endswith(":") and iri_kind == "iri":
                declared[name[:-1]] = _unescape(iri[1:-1])
    return declared


def _is_matches(kind: str, lexeme: str, prefixes: dict[str, str]) -> bool:
    if kind == "iri":
        return _unescape(lexeme[1:-1]) == TEXT_MATCHES
    if kind == "name" and ":" in lexeme:
        prefix, local = lexeme.split(":", 1)
        return prefix in prefixes and prefixes[prefix] + _unescape(local) == TEXT_MATCHES
    return False


@lru_cache(maxsize=2)
def _open_index(path: Path) -> SearchIndex:
    return SearchIndex(path)


def expand_text_search(text: str, index: Path | None) -> str:
    """``text`` with every ``?v text:matches "words"`` replaced by ``VALUES ?v { <hit> … }`` from the search
    index at ``index`` (opened once per process).

    :raises TextSearchError: the property is used otherwise or more than ``TEXT_PATTERNS`` times, or the release
        has no search index.
    """
    if "matches" not in text:  # every spelling of the property ends so (an escaped one matches nothing)
        return text
    parts = list(lexemes(text))
    significant = [i for i, (kind, _) in enumerate(parts) if kind not in _SKIPPED]
    prefixes = _prefixes(parts, significant)
    found = 0
    for place, position in enumerate(significant):
        kind, lexeme = parts[position]
        if not _is_matches(kind, lexeme, prefixes):
            continue
        found += 1
        if found > TEXT_PATTERNS:
            raise TextSearchError(f"text:matches: a query may search {TEXT_PATTERNS} times at most")
        if place == 0 or place + 2 >= len(significant):
            raise TextSearchError(_USAGE)
        subject, words, end = (significant[place - 1], significant[place + 1], significant[place + 2])
        if parts[subject][0] != "variable" or parts[words][0] != "string" or parts[end][1] not in (".", "}"):
            raise TextSearchError(_USAGE)
        if index is None or not index.is_file():
            raise TextSearchError("text:matches: this release has no search index")
        hits = _open_index(index).search(_string(parts[words][1]), limit=TEXT_LIMIT)
        iris = " ".join(str(pyoxigraph.NamedNode(hit.iri)) for hit in hits)
        parts[subject] = ("values", f"VALUES {parts[subject][1]} {{ {iris} }}")
        parts[position] = parts[words] = ("space", " ")
        if parts[end][1] == ".":
            parts[end] = ("space", " ")
    return "".join(lexeme for _, lexeme in parts)


_USAGE = 'text:matches: write it as `?entity text:matches "words" .`: a variable, the property and one plain string'
