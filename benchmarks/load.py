"""The query suite and the load generator: probes per query (warm-up and answer check), then ``wrk``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

__all__ = ["HEAVY", "Probe", "Query", "load_suite", "measure_query", "probe", "wrk_run"]

ROOT = Path(__file__).resolve().parents[1]
HEAVY_DIR = Path(__file__).parent / "queries"
#: The heavier queries of benchmarks/queries/ (the rest of the suite is cheap).
HEAVY = ("label-search", "family-closure", "shared-subunit-join", "associations-per-disease", "il6-neighbourhood")
ACCEPT = {"select": "application/sparql-results+json", "graph": "text/turtle"}


@dataclass(frozen=True)
class Query:
    """A suite query: its name, text and whether it answers with solutions or a graph."""

    name: str
    text: str

    @property
    def kind(self) -> str:
        """``select`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE)."""
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))
        found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        return "graph" if found and found.group(1).upper() in ("CONSTRUCT", "DESCRIBE") else "select"


def load_suite(names: list[str] | None = None) -> list[Query]:
    """Every query in queries/examples/ and benchmarks/queries/ (or only ``names``), sorted by name."""
    paths = sorted((ROOT / "queries" / "examples").glob("*.rq")) + sorted(HEAVY_DIR.glob("*.rq"))
    queries = [Query(path.stem, path.read_text(encoding="utf-8")) for path in paths]
    if names is None:
        return queries
    missing = set(names) - {query.name for query in queries}
    if missing:
        raise ValueError(f"no such suite queries: {', '.join(sorted(missing))}")
    return [query for query in queries if query.name in names]


def _url(url: str, query: Query) -> str:
    return url + "?" + urllib.parse.urlencode({"query": query.text})


@dataclass
class Probe:
    """One request: time, status, and the size of the answer (rows or triples)."""

    seconds: float
    status: int
    rows: int | None
    error: str = ""


def _count(body: bytes, kind: str) -> int | None:
    try:
        if kind == "graph":
            return len(Graph().parse(data=body.decode("utf-8"), format="turtle"))
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    except (ValueError, KeyError, SyntaxError):
        return None


def probe(url: str, query: Query, timeout: float) -> Probe:
    """Send ``query`` once and wait at most ``timeout`` seconds."""
    request = urllib.request.Request(_url(url, query), headers={"Accept": ACCEPT[query.kind]})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return Probe(time.perf_counter() - started, response.status, _count(body, query.kind))
    except urllib.error.HTTPError as error:
        return Probe(time.perf_counter() - started, error.code, None, error.read()[:200].decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        return Probe(time.perf_counter() - started, 0, None, f"no answer within {timeout:g} s ({error})")


WRK_SCRIPT = Path(__file__).parent / "wrk-report.lua"


def wrk_run(url: str, query: Query, concurrency: int, seconds: int, timeout: float) -> dict[str, Any]:
    """Load ``url`` with ``query`` from ``concurrency`` connections for ``seconds``; ok = 2xx/3xx answers.

    wrk stops at the deadline without waiting for requests in flight; the caller drains the server after.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise FileNotFoundError("wrk is not installed: apt-get install wrk (make bench installs it)")
    threads = min(concurrency, 2)
    command = [wrk, "-t", str(threads), "-c", str(concurrency), "-d", f"{seconds}s", "--timeout", f"{timeout:g}s"]
    command += ["-s", str(WRK_SCRIPT), "-H", f"Accept: {ACCEPT[query.kind]}", _url(url, query)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + timeout + 30)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary: {done.stdout[-300:]} {done.stderr[-300:]}")
    raw = json.loads(lines[-1])
    ok = raw["requests"] - raw["status"]
    seconds_run = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "ok": ok,
        "errors": {kind: raw[kind] for kind in ("connect", "read", "write", "status", "timeout") if raw[kind]},
        "rps": ok / seconds_run if seconds_run else 0.0,
        "p50_s": raw["p50_us"] / 1e6 if ok else None,
        "p99_s": raw["p99_us"] / 1e6 if ok else None,
        "max_s": raw["max_us"] / 1e6 if ok else None,
    }


def _sequential(url: str, query: Query, first: Probe, timeout: float, count: int = 3) -> dict[str, Any]:
    """Concurrency 1 for a query too slow for ``wrk``'s window: ``count`` answers one after another."""
    probes = [first] + [probe(url, query, timeout) for _ in range(count - 1)]
    times = sorted(p.seconds for p in probes if p.status == 200)
    ok = len(times)
    return {
        "requests": count,
        "ok": ok,
        "errors": {"status": count - ok} if ok < count else {},
        "rps": ok / sum(p.seconds for p in probes),
        "p50_s": times[len(times) // 2] if times else None,
        "p99_s": times[-1] if times else None,
        "max_s": times[-1] if times else None,
        "sampler": f"{count} requests in a row",
    }


def measure_query(
    url: str,
    query: Query,
    *,
    c1: int,
    c16: int,
    slow: float,
    timeout: float,
    cpu: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """Probe twice (warm-up, then checked), then c1 and c16 ``wrk`` runs unless one answer took over ``slow`` s
    (a warm-up that slow, or failing, is the checked answer). With ``cpu`` (the server's CPU seconds so far), each
    ``wrk`` run also records the server's CPU time per answer (``cpu_us``).

    A query that needs more than a tenth of the c1 window per answer is timed at c1 by three requests in a row.

    After the c16 run, probes wait for the requests wrk left in flight (``_drain``), so the next query starts
    on an idle server.
    """
    warm = probe(url, query, timeout)
    checked = warm if warm.status != 200 or warm.seconds > slow else probe(url, query, timeout)
    result: dict[str, Any] = {"probe": asdict(checked)}
    if checked.status != 200:
        result["skipped"] = checked.error or f"HTTP {checked.status}"
        return result
    if checked.seconds > slow:
        result["skipped"] = f"one answer took {checked.seconds:.1f} s (> {slow:g} s): not load-tested"
        return result
    if c1 > 0 and checked.seconds * 10 > c1:
        result["c1"] = _sequential(url, query, checked, timeout)
    elif c1 > 0:
        result["c1"] = _costed(lambda: wrk_run(url, query, 1, c1, timeout), cpu)
    if c16 > 0:
        result["c16"] = _costed(lambda: wrk_run(url, query, 16, c16, timeout), cpu)
        _drain(url, query, 16 * timeout)
    return result


def _costed(run: Callable[[], dict[str, Any]], cpu: Callable[[], float] | None) -> dict[str, Any]:
    """``run()``'s result, with the server's CPU microseconds per answer when ``cpu`` reads them."""
    before = cpu() if cpu else 0.0
    result = run()
    if cpu and result["ok"]:
        result["cpu_us"] = round((cpu() - before) / result["ok"] * 1e6)
    return result


def _drain(url: str, query: Query, seconds: float) -> None:
    """Wait for the requests wrk left in flight: probe until the server no longer refuses (503/429), at most
    ``seconds``. A refused probe returns at once, so one probe would not wait for heavy-lane queries still
    running, and the next query's probe would find the heavy lane full."""
    deadline = time.monotonic() + seconds
    while probe(url, query, seconds).status in (429, 503) and time.monotonic() < deadline:
        time.sleep(0.5)
