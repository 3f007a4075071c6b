"""What the web app shows about a release, computed once by the build and stored in the release.

``statistics.json`` holds the home page's counts (``queries/stats/*.rq``), the VoID counts and partitions of
the service description, the triples of the examples graph, the release's version, the rows of the
vocabulary page's tables, and the size and SHA-256 digest of every download. The app reads it at start;
only a release built before the file existed is counted at start instead (through the app's query pool).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph

from cytokg.namespaces import BASE, VOID
from cytokg.release import DOWNLOAD_FILES, STATISTICS_FILE
from cytokg.store import EXAMPLES_GRAPH, Queryable, open_store
from cytokg.vocabulary_queries import VOCABULARY_QUERIES
from cytokg.writing import write_atomic

__all__ = [
    "COUNT_QUERIES",
    "EXAMPLE_COUNT",
    "PARTITION_QUERIES",
    "STATISTICS_FILE",
    "Download",
    "Partitions",
    "Rows",
    "Statistics",
    "compute_statistics",
    "digests",
    "read_statistics",
    "store_rows",
    "write_statistics",
]

#: A query's solutions as lexical values, "" for an unbound variable.
Rows = list[list[str]]

#: The dataset's VoID statistics, counted over the default graph as /sparql serves it (asserted plus inferred).
COUNT_QUERIES = {
    str(VOID.triples): "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    str(VOID.distinctSubjects): "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    str(VOID.properties): "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    str(VOID.classes): "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
    str(VOID.entities): f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{BASE}")) }}',
}
#: The VoID partitions, counted over the default graph: entities per class, triples per property, and triples
#: per property of each class's members (what schema-aware query editors autocomplete from).
PARTITION_QUERIES = {
    "classes": "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) } GROUP BY ?class",
    "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "class_properties": (
        "SELECT ?class ?p (COUNT(*) AS ?n) WHERE { ?s a ?class ; ?p ?o FILTER(isIRI(?class)) } GROUP BY ?class ?p"
    ),
}
#: Triples in the examples graph (0 when the store lacks it, as an external store loaded by ``cytokg load`` does).
EXAMPLE_COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{ ?s ?p ?o }} }}"
_VERSION = "SELECT ?v WHERE { <https://w3id.org/cytokg/cytokg.owl> <http://www.w3.org/2002/07/owl#versionInfo> ?v }"


@dataclass(frozen=True)
class Partitions:
    """The answers of ``PARTITION_QUERIES``: class → entities, property → triples, (class, property) → triples."""

    classes: dict[str, int]
    properties: dict[str, int]
    class_properties: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Download:
    """A release file's size and SHA-256 digest."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Statistics:
    """Everything the app shows about a release that takes counting or hashing."""

    version: str
    counts: dict[str, int]  # stats query name → count
    void_counts: dict[str, int]  # VoID property IRI → count
    partitions: Partitions
    example_triples: int
    tables: dict[str, Rows]  # vocabulary table name → rows
    downloads: dict[str, Download]  # file name → size and digest


def store_rows(dataset: Queryable) -> Callable[[str], Rows]:
    """Run queries on a store (the published dataset) and give their rows."""

    def rows(query: str) -> Rows:
        solutions = dataset.query(query)
        if not isinstance(solutions, pyoxigraph.QuerySolutions):
            raise TypeError("a statistics query must be a SELECT query")
        names = solutions.variables
        return [
            [term.value if (term := solution[name]) is not None else "" for name in names] for solution in solutions
        ]

    return rows


def digests(folder: Path) -> dict[str, Download]:
    """The size and SHA-256 digest of every download file in ``folder``."""
    found = {}
    for name in DOWNLOAD_FILES:
        path = folder / name
        if path.is_file():
            with path.open("rb") as handle:
                found[name] = Download(path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest())
    return found


def compute_statistics(rows: Callable[[str], Rows], queries_dir: Path, folder: Path) -> Statistics:
    """Count with ``rows`` (the stats queries in ``queries_dir``, VoID, vocabulary) and hash ``folder``'s downloads."""

    def count(query: str) -> int:
        answer = rows(query)
        return int(answer[0][0]) if answer and answer[0] and answer[0][0] else 0

    partitions = {name: rows(query) for name, query in PARTITION_QUERIES.items()}
    version = rows(_VERSION)
    return Statistics(
        version=version[0][0] if version and version[0][0] else "unknown",
        counts={
            path.stem: count(path.read_text(encoding="utf-8")) for path in sorted((queries_dir / "stats").glob("*.rq"))
        },
        void_counts={predicate: count(query) for predicate, query in COUNT_QUERIES.items()},
        partitions=Partitions(
            {cls: int(n) for cls, n in partitions["classes"]},
            {prop: int(n) for prop, n in partitions["properties"]},
            {(cls, prop): int(n) for cls, prop, n in partitions["class_properties"]},
        ),
        example_triples=count(EXAMPLE_COUNT),
        tables={name: sorted(rows(query)) for name, query in VOCABULARY_QUERIES.items()},  # a byte-stable file
        downloads=digests(folder),
    )


def write_statistics(folder: Path, queries_dir: Path) -> None:
    """Count the release in ``folder`` (its store, its files) into ``folder/statistics.json``."""
    statistics = compute_statistics(store_rows(open_store(folder / "oxigraph")), queries_dir, folder)
    data = asdict(statistics)
    data["partitions"]["class_properties"] = [
        [cls, prop, n] for (cls, prop), n in sorted(statistics.partitions.class_properties.items())
    ]
    write_atomic(folder / STATISTICS_FILE, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def read_statistics(folder: Path) -> Statistics | None:
    """The statistics the build stored in ``folder``, or None for a release built before they were stored."""
    path = folder / STATISTICS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        partitions = data["partitions"]
        return Statistics(
            version=str(data["version"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
            void_counts={str(k): int(v) for k, v in data["void_counts"].items()},
            partitions=Partitions(
                {str(k): int(v) for k, v in partitions["classes"].items()},
                {str(k): int(v) for k, v in partitions["properties"].items()},
                {(str(c), str(p)): int(n) for c, p, n in partitions["class_properties"]},
            ),
            example_triples=int(data["example_triples"]),
            tables={str(k): [[str(v) for v in row] for row in table] for k, table in data["tables"].items()},
            downloads={str(k): Download(int(v["size"]), str(v["sha256"])) for k, v in data["downloads"].items()},
        )
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a CytoKG statistics file ({error}); rebuild with `cytokg build`") from None
