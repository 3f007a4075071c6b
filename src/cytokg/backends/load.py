"""``cytokg load``: push the built graphs into an external SPARQL 1.1 store, swap them in at once, verify.

Each graph is uploaded in chunks to a staging graph (``<graph>-loading``): with the Graph Store HTTP Protocol
(POST) when a GSP URL is given and answers, otherwise with SPARQL 1.1 Update (INSERT DATA). Triples that share a
blank node always travel in one chunk, because a blank node label means one node only within one request.
When both staging graphs hold exactly the built triples, one update request moves them over the live graphs
(MOVE replaces the target), so readers see the old graphs or the new ones; an interrupted load leaves the old
graphs untouched and only a staging graph, which the next load drops.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from cytokg.backends.remote import NO_GRAPH, Graphs, ProtocolUnsupported, Published, RemoteStore, SparqlClient
from cytokg.errors import GateFailure, InputError
from cytokg.queries import answer_difference, expected_answer, has_order_by, run_query_text
from cytokg.release import ASSERTED_TRIPLES, EXAMPLES_FILE, INFERRED_TYPES
from cytokg.search import TextSearchError, expand_text_search

__all__ = ["CHUNK_SIZES", "LoadReport", "Target", "graph_files", "load", "ntriples_chunks", "sample", "staging_graph"]


#: Triples a request by default: Virtuoso 7.2 refuses SPARQL Update requests much above 1,000 triples.
CHUNK_SIZES = {"gsp": 10_000, "update": 1_000}


@dataclass(frozen=True)
class Target:
    """Where to load: the SPARQL endpoint (queries), its update URL and, optionally, its Graph Store URL."""

    endpoint: str
    update_endpoint: str
    gsp_endpoint: str | None = None


@dataclass
class LoadReport:
    """What a load did: the protocol used, triples per graph, seconds, the example queries checked."""

    protocol: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    checked: list[str] = field(default_factory=list)


def staging_graph(graph: str) -> str:
    """The graph a load fills before it replaces ``graph``."""
    return f"{graph}-loading"


def ntriples_chunks(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """N-Triples chunks of about ``size`` triples as (triples, bytes) from an N-Triples or Turtle file;
    blank-node-connected triples stay together."""
    fmt = pyoxigraph.RdfFormat.from_extension(path.suffix.lstrip(".")) or pyoxigraph.RdfFormat.N_TRIPLES
    triples = [quad.triple for quad in pyoxigraph.parse(path=str(path), format=fmt)]
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        blanks = [t.value for t in (triple.subject, triple.object) if isinstance(t, pyoxigraph.BlankNode)]
        for other in blanks[1:]:
            parent[root(other)] = root(blanks[0])
    groups: dict[str, list[pyoxigraph.Triple]] = {}
    for number, triple in enumerate(triples):
        blank = next((t.value for t in (triple.subject, triple.object) if isinstance(t, pyoxigraph.BlankNode)), None)
        groups.setdefault(root(blank) if blank else f"#{number}", []).append(triple)
    chunk: list[pyoxigraph.Triple] = []
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= size:
            yield len(chunk), pyoxigraph.serialize(chunk, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
            chunk = []
    if chunk:
        yield len(chunk), pyoxigraph.serialize(chunk, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def _update(client: SparqlClient, target: Target, text: str) -> None:
    body = urllib.parse.urlencode({"update": text}).encode()
    client.request(
        "POST", target.update_endpoint, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def _count(store: RemoteStore, graph: str) -> int:
    answer = store.run("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", (NO_GRAPH,), (graph,))
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    return sum(int(row["n"].value) for row in answer)


def _upload(client: SparqlClient, target: Target, graph: str, data: bytes, protocol: str) -> None:
    if protocol == "gsp" and target.gsp_endpoint:
        client.request(
            "POST",
            target.gsp_endpoint,
            params=[("graph", graph)],
            data=data,
            headers={"Content-Type": "application/n-triples"},
        )
        return
    # INSERT … WHERE {} rather than INSERT DATA: Virtuoso 7.2 refuses blank nodes in INSERT DATA.
    _update(client, target, f"INSERT {{ GRAPH <{graph}> {{\n{data.decode('utf-8')}}} }} WHERE {{}}")


def _upload_file(
    client: SparqlClient,
    target: Target,
    graph: str,
    path: Path,
    protocol: str,
    size: int,
    advance: Callable[[int], None],
) -> int:
    """Send ``path`` to ``graph`` in chunks; returns the triples sent."""
    sent = 0
    for triples, data in ntriples_chunks(path, size):
        _upload(client, target, graph, data, protocol)
        sent += triples
        advance(triples)
    return sent


def graph_files(build_dir: Path, graphs: Graphs) -> dict[str, Path]:
    """The built N-Triples file of each graph.

    :raises FileNotFoundError: the build is missing.
    """
    files = {
        graphs.asserted: build_dir / ASSERTED_TRIPLES,
        graphs.inferred: build_dir / INFERRED_TYPES,
        graphs.examples: build_dir / EXAMPLES_FILE,
    }
    for path in files.values():
        if not path.exists():
            raise FileNotFoundError(f"{path}: not built; run `cytokg build` first")
    return files


def _to_verify(examples_dir: Path, count: int, names: Sequence[str]) -> list[Path]:
    """The example queries named, or else ``count`` of them spread over those an external store can answer."""
    if not names:
        return sample([path for path in sorted(examples_dir.glob("*.rq")) if _answerable(path)], count)
    paths = [examples_dir / f"{name}.rq" for name in names]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such example query")
        if not _answerable(path):
            raise InputError(path, None, "uses text:matches, which needs the release's search index", "name another")
    return paths


def _answerable(path: Path) -> bool:
    """Whether an external store can answer the example: ``text:matches`` reads CytoKG's own search index."""
    try:
        expand_text_search(path.read_text(encoding="utf-8"), None)
    except TextSearchError:
        return False
    return True


def sample(paths: list[Path], count: int) -> list[Path]:
    """``count`` files spread evenly over ``paths`` (all of them if ``count`` is larger)."""
    if count >= len(paths):
        return paths
    return [paths[round(i * (len(paths) - 1) / max(count - 1, 1))] for i in range(count)] if count else []


def load(
    build_dir: Path,
    examples_dir: Path,
    target: Target,
    graphs: Graphs,
    client: SparqlClient,
    *,
    chunk_size: int | None = None,
    verify_queries: int = 8,
    verify_names: Sequence[str] = (),
    say: Callable[[str], None],
    advance: Callable[[int], None],
) -> LoadReport:
    """Load ``build/cytokg-asserted.nt``, the inferred memberships and the example queries into ``graphs``,
    replacing them, then verify.

    ``chunk_size`` triples go in one request (default ``CHUNK_SIZES`` of the protocol). The example queries
    ``verify_names`` (or else ``verify_queries`` of them, spread evenly) must answer as expected. ``advance`` is called
    with the triples of each chunk sent (for a progress bar), ``say`` with progress lines.

    :raises GateFailure: the store does not hold exactly the built triples, or an example query answers wrongly.
    :raises StoreError: authentication, protocol or network failure (after retries).
    """
    started = time.monotonic()
    files = graph_files(build_dir, graphs)
    store = RemoteStore(target.endpoint, graphs, client)
    protocol = "gsp" if target.gsp_endpoint else "update"
    _update(client, target, " ;\n".join(f"DROP SILENT GRAPH <{staging_graph(g)}>" for g in files))
    expected: dict[str, int] = {}
    for graph, path in files.items():
        size = chunk_size or CHUNK_SIZES[protocol]
        try:
            expected[graph] = _upload_file(client, target, staging_graph(graph), path, protocol, size, advance)
        except ProtocolUnsupported as error:
            if protocol != "gsp" or graph != graphs.asserted:
                raise
            say(f"no Graph Store Protocol at {target.gsp_endpoint} ({error}); using SPARQL Update instead")
            protocol = "update"
            _update(client, target, f"DROP SILENT GRAPH <{staging_graph(graph)}>")
            size = chunk_size or CHUNK_SIZES[protocol]
            expected[graph] = _upload_file(client, target, staging_graph(graph), path, protocol, size, advance)
    for graph, count in expected.items():
        staged = _count(store, staging_graph(graph))
        if staged != count:
            _update(client, target, " ;\n".join(f"DROP SILENT GRAPH <{staging_graph(g)}>" for g in files))
            raise GateFailure(
                f"<{staging_graph(graph)}> holds {staged} triples, the build has {count}; the live graphs are unchanged"
            )
    say("replacing the live graphs")
    swap = [
        f"MOVE <{staging_graph(graph)}> TO <{graph}>" if count else f"DROP SILENT GRAPH <{graph}>"
        for graph, count in expected.items()
    ]
    _update(client, target, " ;\n".join(swap))
    report = LoadReport(protocol, {graph: _count(store, graph) for graph in files})
    for graph, count in expected.items():
        if report.counts[graph] != count:
            raise GateFailure(f"<{graph}> holds {report.counts[graph]} triples after the swap, the build has {count}")
    for path in _to_verify(examples_dir, verify_queries, verify_names):
        text = path.read_text(encoding="utf-8")
        answer = run_query_text(Published(store), text, path)
        difference = answer_difference(answer, expected_answer(path), has_order_by(text))
        if difference:
            raise GateFailure(f"{path.name} answers differently on {target.endpoint}: {difference}")
        report.checked.append(path.stem)
    report.seconds = time.monotonic() - started
    return report
