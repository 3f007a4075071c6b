"""CytoKG in an external SPARQL 1.1 store (Virtuoso, QLever, GraphDB, Fuseki), reached over HTTP.

The store holds the asserted graph, the inferred memberships and the example queries as three named graphs
(``Graphs``). Every query sends an explicit protocol dataset, so the store behaves like the embedded one: the
default graph is the asserted graph (the union with the inferred graph when asked), the named graphs are the
inferred and examples graphs, and no query can see the store's other graphs. Answers are parsed into
pyoxigraph terms, so pages, stats and the endpoint's serializers work unchanged.
"""

from __future__ import annotations

import io
import re
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from cytokg.backends.base import Answer, Job, QueryTimeout, serialize_answer
from cytokg.backends.embedded import QueryPool
from cytokg.queries import has_order_by
from cytokg.store import ASSERTED_GRAPH, EXAMPLES_GRAPH, INFERRED_GRAPH

__all__ = [
    "NO_GRAPH",
    "Credentials",
    "Graphs",
    "ProtocolUnsupported",
    "Published",
    "RemoteExecutor",
    "RemoteStore",
    "SparqlClient",
    "StoreError",
    "backend_url",
    "connect",
    "query_form",
]

#: A graph that never exists: stands for an empty list of graphs, which the protocol cannot express.
NO_GRAPH = "urn:cytokg:no-graph"
_TRANSIENT = {429, 502, 503, 504}
_UNSUPPORTED = {404, 405, 415, 501}
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)", re.IGNORECASE)
#: Virtuoso 7.2 answers ASK as a one-column table (no row, or one row with 1) instead of a boolean.
_ASK_COLUMN = "__ASK_RETVAL"
#: Virtuoso's SQL states for a query stopped by its time limit (S1TAT: partial "anytime" answer).
_VIRTUOSO_TIMEOUTS = ("S1TAT", "S1T00")
#: Virtuoso refuses a query whose estimated cost exceeds MaxQueryCostEstimationTime before running it.
_VIRTUOSO_ESTIMATE = "The estimated execution time"


class StoreError(Exception):
    """The store refused or failed a request; the message names the URL and what to do."""


class ProtocolUnsupported(StoreError):
    """The URL does not speak the protocol we tried (HTTP 404, 405, 415 or 501)."""


@dataclass(frozen=True)
class Credentials:
    """A user and password (Basic or Digest, whichever the store asks for) or a bearer token."""

    user: str | None = None
    password: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Graphs:
    """The names of CytoKG's graphs in the store."""

    asserted: str = ASSERTED_GRAPH
    inferred: str = INFERRED_GRAPH
    examples: str = EXAMPLES_GRAPH

    @property
    def names(self) -> tuple[str, str, str]:
        """All three names."""
        return (self.asserted, self.inferred, self.examples)

    def dataset(self, union: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The embedded store's dataset: (default graphs, named graphs)."""
        return ((self.asserted, self.inferred) if union else (self.asserted,)), (self.inferred, self.examples)

    def restrict(self, iris: Sequence[str]) -> tuple[str, ...]:
        """Keep the CytoKG graphs among ``iris``; none left means an empty graph (as in the embedded store)."""
        kept = tuple(iri for iri in iris if iri in self.names)
        return kept or (NO_GRAPH,)


def backend_url(backend: str) -> str:
    """The HTTP URL of a ``sparql+http(s)://`` backend setting.

    >>> backend_url("sparql+http://127.0.0.1:8890/sparql")
    'http://127.0.0.1:8890/sparql'
    """
    if not backend.startswith(("sparql+http://", "sparql+https://")):
        raise ValueError(f"{backend}: a backend is sparql+http://HOST:PORT/PATH or sparql+https://…")
    return backend[len("sparql+") :]


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue of a query that parsed.

    >>> query_form("PREFIX a: <http://x#> # ask?\\nconstruct WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    """
    position = _prologue_end(text)
    return text[position : position + 9].split("{", 1)[0].split()[0].upper()


def _prologue_end(text: str) -> int:
    """Where the query form starts, after BASE and PREFIX declarations, comments and spaces."""
    position = 0
    while match := _PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return position


class SparqlClient:
    """HTTP to a store: credentials, retries with back-off on transient errors, clear errors otherwise."""

    def __init__(self, credentials: Credentials = Credentials(), retries: int = 4, backoff: float = 1.0) -> None:
        self.credentials = credentials
        self.retries = retries
        self.backoff = backoff
        self.session = requests.Session()
        if credentials.token:
            self.session.headers["Authorization"] = f"Bearer {credentials.token}"
        self.server = ""  # the store's Server header, once seen

    def _auth(self, challenge: str) -> AuthBase | None:
        user, password = self.credentials.user, self.credentials.password
        if user is None or password is None:
            return None
        if challenge.lower().startswith("digest"):
            return HTTPDigestAuth(user, password)
        return HTTPBasicAuth(user, password)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 300.0,
        retry_timeouts: bool = True,
        check: bool = True,
        stream: bool = False,
    ) -> requests.Response:
        """Send a request; retry connection errors, 429 and 502-504; with ``check``, raise ``StoreError`` on
        any other failure.

        :raises QueryTimeout: no answer within ``timeout`` (after the retries, if ``retry_timeouts``).
        """
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=list(params),
                    data=data,
                    headers=dict(headers or {}),
                    timeout=timeout,
                    stream=stream,
                )
                if response.status_code == 401 and self.session.auth is None:
                    auth = self._auth(response.headers.get("WWW-Authenticate", ""))
                    if auth is not None:
                        self.session.auth = auth
                        continue
            except requests.Timeout as error:
                if not retry_timeouts or attempt >= self.retries:
                    raise QueryTimeout(f"{url} did not answer within {timeout:g} s") from error
            except requests.ConnectionError as error:
                if attempt >= self.retries:
                    problem = error.__class__.__name__
                    raise StoreError(f"{url}: cannot connect ({problem}); is the store running?") from error
            else:
                self.server = response.headers.get("Server", self.server)
                if response.status_code not in _TRANSIENT or attempt >= self.retries:
                    if check:
                        _raise_for(response, url)
                    return response
            attempt += 1
            time.sleep(self.backoff * 2 ** (attempt - 1))

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()


def _raise_for(response: requests.Response, url: str) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = response.text.strip().replace("\n", " ")[:300]
    if status in (401, 403):
        raise StoreError(
            f"{url}: authentication failed (HTTP {status}); check --user and --password (or --token): the account "
            "must exist and, for `cytokg load`, may update the store"
        )
    if status in _UNSUPPORTED:
        raise ProtocolUnsupported(f"{url}: HTTP {status}; this URL does not speak the protocol we used ({detail})")
    raise StoreError(f"{url}: HTTP {status}: {detail}")


def _query_triples(triples: list[pyoxigraph.Triple]) -> pyoxigraph.QueryTriples:
    """A CONSTRUCT/DESCRIBE answer as pyoxigraph's own result object (via a small in-memory store)."""
    memory = pyoxigraph.Store()
    memory.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph()) for t in triples)
    answer = memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(answer, pyoxigraph.QueryTriples)
    return answer


class RemoteStore:
    """CytoKG's graphs in an external store, queried like the embedded ``pyoxigraph.Store``."""

    def __init__(
        self,
        endpoint: str,
        graphs: Graphs = Graphs(),
        client: SparqlClient | None = None,
        timeout: float = 60.0,
        max_bytes: int = 256 * 1024 * 1024,
    ) -> None:
        self.endpoint = endpoint
        self.graphs = graphs
        self.client = client or SparqlClient()
        self.timeout = timeout
        self.max_bytes = max_bytes

    def query(
        self, query: str, /, *, base_iri: str | None = None, use_default_graph_as_union: bool = False
    ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples:
        """Run ``query`` over the asserted graph (with ``use_default_graph_as_union``, plus the inferred one)."""
        default, named = self.graphs.dataset(use_default_graph_as_union)
        return self.run(query, default, named, base_iri)

    def run(
        self,
        query: str,
        default: Sequence[str],
        named: Sequence[str],
        base_iri: str | None = None,
        limit: int | None = None,
    ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples:
        """Run ``query`` with an explicit dataset (the protocol's default-graph-uri and named-graph-uri).

        With ``limit``, a SELECT without ORDER BY asks the store for at most that many rows (any of them are
        a correct prefix of an unordered answer); an ordered one is left alone, since a subquery's order may be lost.

        :raises QueryTimeout: the store or the HTTP read passed the time limit.
        :raises StoreError: the store failed or refused the query.
        """
        form = query_form(query)
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        if limit is not None and form == "SELECT" and not has_order_by(query):
            query = _limited(query, limit)
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        params = [("query", query)]
        params += [("default-graph-uri", iri) for iri in default] + [("named-graph-uri", iri) for iri in named]
        if "virtuoso" in self.client.server.lower():
            # Virtuoso's "anytime" limit, in ms: it stops within about twice that and flags the answer S1TAT.
            params.append(("timeout", str(int(self.timeout * 500))))
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        if base_iri:
            params[0] = ("query", f"BASE <{base_iri}>\n{query}")
        body = urllib.parse.urlencode(params).encode()
        try:
            response = self.client.request(
                "POST",
                self.endpoint,
                data=body,
                headers=headers,
                timeout=self.timeout,
                retry_timeouts=False,
                check=False,
                stream=True,
            )
        except QueryTimeout as error:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from error
        if response.headers.get("X-SQL-State", "") in _VIRTUOSO_TIMEOUTS or (
            response.status_code >= 400 and any(state in response.text[:1000] for state in _VIRTUOSO_TIMEOUTS)
        ):
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
        if response.status_code >= 400 and _VIRTUOSO_ESTIMATE in response.text[:1000]:
            raise QueryTimeout(f"the store estimates the query would run longer than {self.timeout:g} s; not run")
        _raise_for(response, self.endpoint)
        # Parsed as it arrives, so a reader that stops after the row limit stops the transfer too.
        stream = io.BufferedReader(_Stream(response, self.max_bytes, time.monotonic() + self.timeout))
        if graph_form:
            media = response.headers.get("Content-Type", accept).split(";")[0].strip()
            rdf_format = pyoxigraph.RdfFormat.from_media_type(media) or pyoxigraph.RdfFormat.N_TRIPLES
            triples = [quad.triple for quad in pyoxigraph.parse(stream, format=rdf_format)]
            return _query_triples(triples)
        answer = pyoxigraph.parse_query_results(stream, format=pyoxigraph.QueryResultsFormat.JSON)
        if isinstance(answer, pyoxigraph.QuerySolutions) and [v.value for v in answer.variables] == [_ASK_COLUMN]:
            return _boolean(any(row[_ASK_COLUMN] is not None and row[_ASK_COLUMN].value != "0" for row in answer))
        return answer


def _limited(query: str, limit: int) -> str:
    """The SELECT query as a subquery with a LIMIT, its prologue (PREFIX, BASE) kept in front.

    >>> print(_limited("PREFIX a: <http://x#> SELECT * WHERE { ?s ?p ?o }", 6))
    PREFIX a: <http://x#> SELECT * WHERE {
    { SELECT * WHERE { ?s ?p ?o }
    }
    } LIMIT 6
    """
    start = _prologue_end(query)
    return f"{query[:start]}SELECT * WHERE {{\n{{ {query[start:]}\n}}\n}} LIMIT {limit}"


def _blank_label(value: str) -> str:
    """A valid blank node label for any store's label (Virtuoso: ``nodeID://b10000``), one-to-one.

    >>> _blank_label("nodeID://b10000")
    'nodeID_3a__2f__2f_b10000'
    """
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in value)


class _Stream(io.RawIOBase):
    """A store's answer as it arrives, bounded in bytes and time; SPARQL JSON blank node labels made portable.

    Virtuoso labels blank nodes ``nodeID://b10000``, which pyoxigraph refuses; each bnode term is rewritten with
    ``_blank_label``. The tail after the last ``"type"`` is held back until the next chunk, so no term is cut.
    """

    _BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")([^"]*)"')

    def __init__(self, response: requests.Response, max_bytes: int, deadline: float) -> None:
        self.response = response
        self.chunks = response.iter_content(64 * 1024)
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.received = 0
        self.pending = b""
        self.ready = b""

    def readable(self) -> bool:
        return True

    def _fix(self, data: bytes) -> bytes:
        return self._BNODE.sub(lambda m: m.group(1) + _blank_label(m.group(2).decode()).encode() + b'"', data)

    def readinto(self, buffer: Any) -> int:
        while not self.ready and self.response is not None:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.ready, self.pending = self._fix(self.pending), b""
                self.response.close()
                break
            self.received += len(chunk)
            if self.received > self.max_bytes:
                raise StoreError(f"the store's answer is larger than {self.max_bytes} bytes; add a LIMIT")
            if time.monotonic() > self.deadline:
                raise QueryTimeout("the store's answer took longer than the time limit")
            data = self.pending + chunk
            found = data.rfind(b'"type"')
            cut = min(found if found >= 0 else len(data), max(len(data) - 6, 0))
            self.ready, self.pending = self._fix(data[:cut]), data[cut:]
        size = min(len(buffer), len(self.ready))
        buffer[:size] = self.ready[:size]
        self.ready = self.ready[size:]
        return size

    def close(self) -> None:
        self.response.close()
        super().close()


def _boolean(value: bool) -> pyoxigraph.QueryBoolean:
    answer = pyoxigraph.parse_query_results(
        b'{"head": {}, "boolean": %s}' % (b"true" if value else b"false"), format=pyoxigraph.QueryResultsFormat.JSON
    )
    assert isinstance(answer, pyoxigraph.QueryBoolean)
    return answer


_GROUP = re.compile(r"\bWHERE\s*\{|^\s*ASK\s*\{", re.IGNORECASE | re.MULTILINE)


def _bind(text: str, bindings: tuple[tuple[str, str], ...]) -> str:
    """The app's own query with its bound IRIs as a VALUES block opening the innermost WHERE group (where a
    subquery's LIMIT cannot cut it off). The terms are built by pyoxigraph, which refuses anything that is not
    an IRI, so no request text can change the query's structure."""
    if not bindings:
        return text
    names = " ".join(f"?{pyoxigraph.Variable(name).value}" for name, _ in bindings)
    terms = " ".join(str(pyoxigraph.NamedNode(iri)) for _, iri in bindings)
    *_, group = _GROUP.finditer(text)
    return f"{text[: group.end()]} VALUES ({names}) {{ ({terms}) }} {text[group.end() :]}"


class RemoteExecutor:
    """The endpoint's executor over an external store: same answers, limits and errors as ``QueryPool``.

    Queries are vetted by ``vetting`` (a pool of processes over an empty store, under the time limit: it also
    runs a query whose dataset is only graphs outside CytoKG's, and refuses ``text:matches``); the time limit
    of the query itself is the HTTP read timeout and, on Virtuoso, the store's own ``timeout`` parameter; the
    row limit cuts the parsed answer and marks it truncated.
    """

    def __init__(self, store: RemoteStore, vetting: QueryPool, max_rows: int) -> None:
        self.store = store
        self.vetting = vetting
        self.max_rows = max_rows

    def run(self, job: Job, client: str = "-") -> Answer:
        """Vet and run ``job`` as ``QueryPool.run`` does; graphs outside CytoKG's two are empty graphs here.

        :raises Busy: no capacity to vet the query now.
        :raises QueryTimeout: vetting or the store passed the time limit.
        """
        vetted = self.vetting.vet(job, client)
        if isinstance(vetted, Answer):
            return vetted
        graphs = self.store.graphs
        query = _bind(job.text, job.bindings)
        if job.default_graphs or job.named_graphs:
            default = graphs.restrict(job.default_graphs) if job.default_graphs else (graphs.asserted,)
            named = graphs.restrict(job.named_graphs) if job.named_graphs else (graphs.inferred, graphs.examples)
        elif not vetted.has_dataset:
            default, named = graphs.dataset(union=True)
        else:  # the query names its own dataset (FROM / FROM NAMED), which some stores prefer to the protocol's
            from_default, from_named = list(vetted.from_default), list(vetted.from_named)
            outside = [iri for iri in from_default + from_named if iri not in graphs.names]
            if len(outside) == len(from_default + from_named):  # only graphs the store must not show: all empty
                return self.vetting.run(job, client)  # on the pool's empty store, under the time limit
            if outside:
                message = (
                    f"<{outside[0]}> is not a graph of this endpoint; name <{graphs.asserted}> or <{graphs.inferred}>"
                )
                return Answer(403, "error", b"", error=message)
            default, named = graphs.restrict(from_default), graphs.restrict(from_named)
        try:
            answer = self.store.run(query, default, named, job.base_iri, limit=self.max_rows + 1)
        except StoreError as error:
            explained = self.vetting.vet(replace(job, thorough=True), client)  # a malformed query, refused
            failed = Answer(502, "error", b"", error=f"the triple store failed: {error}")
            return explained if isinstance(explained, Answer) else failed
        return serialize_answer(answer, job, self.max_rows)

    def close(self) -> None:
        """Close the HTTP connections and the vetting processes."""
        self.store.client.close()
        self.vetting.close()


def connect(backend: str, graphs: Graphs, credentials: Credentials, timeout: float) -> RemoteStore:
    """A ``RemoteStore`` for a ``sparql+http(s)://`` backend setting, checked with one query."""
    # One quick retry only: a web request cannot wait through the loader's long back-off.
    store = RemoteStore(backend_url(backend), graphs, SparqlClient(credentials, retries=1, backoff=0.5), timeout)
    if not store.query("ASK { ?s ?p ?o }"):
        raise StoreError(f"{store.endpoint}: the graph <{graphs.asserted}> is empty; run `cytokg load` first")
    return store


class Published:
    """A remote store read as the dataset CytoKG publishes (asserted plus inferred), as ``/sparql`` answers."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def query(
        self, query: str, /, *, base_iri: str | None = None, use_default_graph_as_union: bool = True
    ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples:
        """Run ``query`` over the union of the asserted and inferred graphs unless told otherwise."""
        return self.store.query(query, base_iri=base_iri, use_default_graph_as_union=use_default_graph_as_union)
