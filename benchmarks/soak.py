"""Load and fault run: CytoKG at concurrency 16 for minutes, a mix of cheap, expensive and time-limit queries.

Each client thread acts as its own client (``X-Forwarded-For`` through ``--trusted-proxy 127.0.0.1``). One
sends a query that can never finish (it must come back as 503 at the time limit), the others a random mix of
the suite (a quarter heavy queries). Part-way through, the busiest query process (a child of the
multiprocessing forkserver under ``cytokg serve``) is killed with SIGKILL: the server must keep answering and
start a replacement. Admission control's quick refusals (503 or 429 with Retry-After) are counted apart from
the unexpected answers. The run reports every outcome and the server's RSS over time.
``python -m benchmarks.soak`` (``make bench-soak``) writes benchmarks/results/<date>-<host>-soak.json.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from .load import ACCEPT, HEAVY, Query, load_suite, probe
from .measure import MB, Sampler
from .systems import Server, start_cytokg

__all__ = ["Outcome", "classify", "main", "query_processes"]

ROOT = Path(__file__).resolve().parents[1]
LIMIT_QUERY = Path(__file__).parent / "soak" / "time-limit.rq"
#: Errors this soon after the kill are the killed process's requests in flight, counted apart.
KILL_WINDOW = 2.0
#: What the server says when it stops a query at the time limit (any other 503 or 429 is admission control).
TIMED_OUT = "ran longer than"


@dataclass(frozen=True)
class Outcome:
    """One request: when it was sent (s into the run), which kind of query, status (0: no answer), error text."""

    at: float
    kind: str  # cheap | expensive | limit
    status: int
    seconds: float
    error: str = ""


def classify(outcome: Outcome) -> str:
    """``ok``, ``limit`` (the time limit answered as intended), ``refused`` (admission control) or ``unexpected``."""
    if outcome.status == 200:
        return "ok"
    if outcome.status == 503 and TIMED_OUT in outcome.error:
        return "limit" if outcome.kind == "limit" else "unexpected"
    if outcome.status in (429, 503):
        return "refused"
    return "unexpected"


def query_processes(server: int) -> list[psutil.Process]:
    """The query processes of ``cytokg serve``: the children of its multiprocessing forkserver."""
    found = []
    for child in psutil.Process(server).children():
        try:
            if "multiprocessing.forkserver" in " ".join(child.cmdline()):
                found += child.children()
        except psutil.Error:
            continue
    return found


def _send(url: str, query: Query, timeout: float, client: str) -> tuple[int, str]:
    target = url + "?" + urllib.parse.urlencode({"query": query.text})
    request = urllib.request.Request(target, headers={"Accept": ACCEPT[query.kind], "X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:200].decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, type(error).__name__ + ": " + str(error)[:200]


class _Run:
    def __init__(self, server: Server, seconds: float, query_timeout: float) -> None:
        self.server = server
        self.seconds = seconds
        self.query_timeout = query_timeout
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()

    def record(self, sent: float, kind: str, status: int, error: str) -> None:
        outcome = Outcome(sent - self.started, kind, status, time.monotonic() - sent, error)
        with self.lock:
            self.outcomes.append(outcome)

    def mixed(self, seed: int, cheap: list[Query], expensive: list[Query]) -> None:
        rng = random.Random(seed)
        while time.monotonic() < self.deadline:
            kind = "expensive" if rng.random() < 0.25 else "cheap"
            query = rng.choice(expensive if kind == "expensive" else cheap)
            sent = time.monotonic()
            status, error = _send(self.server.url, query, self.query_timeout + 30, f"10.0.0.{seed}")
            self.record(sent, kind, status, error)

    def limited(self, query: Query) -> None:
        while time.monotonic() < self.deadline:
            sent = time.monotonic()
            status, error = _send(self.server.url, query, self.query_timeout + 30, "10.0.0.0")
            self.record(sent, "limit", status, error)
            time.sleep(min(self.query_timeout, max(0.0, self.deadline - time.monotonic())))

    def kill_one_query_process(self, at: float) -> dict[str, Any]:
        time.sleep(max(0.0, self.started + at - time.monotonic()))
        before = query_processes(self.server.pid)
        if not before:
            return {"error": "no query process found to kill"}
        victim = _busiest(before)
        killed_at = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        replaced = None
        old = {process.pid for process in before}
        while time.monotonic() < killed_at + 30:
            if any(process.pid not in old for process in query_processes(self.server.pid)):
                replaced = time.monotonic() - killed_at
                break
            time.sleep(0.1)
        time.sleep(max(0.0, killed_at + 5 - time.monotonic()))
        return {
            "pid": victim.pid,
            "at_s": killed_at - self.started,
            "query_processes_before": len(before),
            "query_processes_5s_after": len(query_processes(self.server.pid)),
            "replaced_after_s": replaced,
            "victim_5s_after": _status(victim.pid),
        }


def _busiest(candidates: list[psutil.Process]) -> psutil.Process:
    """The query process using the most CPU over half a second: the one most surely mid-query."""
    for process in candidates:
        with contextlib.suppress(psutil.Error):
            process.cpu_percent(None)
    time.sleep(0.5)

    def load(process: psutil.Process) -> float:
        try:
            return float(process.cpu_percent(None))
        except psutil.Error:
            return -1.0

    return max(candidates, key=load)


def _status(pid: int) -> str:
    """A process's state (``zombie``: dead but not reaped), or ``gone``."""
    try:
        return str(psutil.Process(pid).status())
    except psutil.Error:
        return "gone"


def soak(build_dir: Path, work: Path, seconds: float, concurrency: int, query_timeout: float) -> dict[str, Any]:
    """Run the soak against a fresh ``cytokg serve`` and return its summary."""
    suite = load_suite()
    expensive = [query for query in suite if query.name in HEAVY]
    cheap = [query for query in suite if query.name not in HEAVY]
    limit = Query("time-limit", LIMIT_QUERY.read_text(encoding="utf-8"))
    log = work / "logs" / "cytokg-soak.log"
    server = start_cytokg(build_dir, log, query_timeout=query_timeout, trusted_proxy="127.0.0.1")
    kill: dict[str, Any] = {}
    try:
        if server.wait_ready(120) is None:
            raise RuntimeError(f"cytokg serve did not answer within 120 s (log: {work / 'logs'})")
        for query in suite:
            probe(server.url, query, 60)
        sampler = Sampler(server.pid, 5.0)
        sampler.start()
        run = _Run(server, seconds, query_timeout)
        threads = [threading.Thread(target=run.limited, args=(limit,), daemon=True)]
        threads += [
            threading.Thread(target=run.mixed, args=(seed, cheap, expensive), daemon=True)
            for seed in range(1, concurrency)
        ]
        for thread in threads:
            thread.start()
        kill = run.kill_one_query_process(seconds * 0.4)
        for thread in threads:
            thread.join(query_timeout + 60)
        sampler.stop()
        processes_at_end = len(query_processes(server.pid))
    finally:
        server.stop()
    return _summarise(run, sampler, kill, concurrency, query_timeout, processes_at_end)


def _summarise(
    run: _Run, sampler: Sampler, kill: dict[str, Any], concurrency: int, query_timeout: float, processes_at_end: int
) -> dict[str, Any]:
    outcomes = run.outcomes
    counts = collections.Counter(
        f"{o.kind}: HTTP {o.status}" if o.status else f"{o.kind}: {o.error.split(':')[0]}" for o in outcomes
    )
    killed_at = kill.get("at_s")
    lost = [
        o
        for o in outcomes
        if classify(o) == "unexpected"
        and o.status in (0, 500)
        and killed_at is not None
        and o.at <= killed_at <= o.at + o.seconds + KILL_WINDOW
    ]
    unexpected = [o for o in outcomes if classify(o) == "unexpected" and o not in lost]
    if killed_at is not None:
        kill["answered_after"] = sum(
            1 for o in outcomes if o.status == 200 and killed_at <= o.at + o.seconds <= killed_at + 5
        )
        kill["lost"] = len(lost)
    rss = [value for _, value in sampler.series]
    latencies = sorted(o.seconds for o in outcomes if o.status == 200)
    return {
        "seconds": round(time.monotonic() - run.started, 1),
        "concurrency": concurrency,
        "query_timeout": query_timeout,
        "requests": len(outcomes),
        "outcomes": dict(counts),
        "refused": sum(1 for o in outcomes if classify(o) == "refused"),
        "unexpected": len(unexpected),
        "unexpected_examples": [o.__dict__ for o in unexpected[:10]],
        "ok_p50_s": latencies[len(latencies) // 2] if latencies else None,
        "ok_p99_s": latencies[int(len(latencies) * 0.99)] if latencies else None,
        "rss_first_mb": round(rss[0] / MB) if rss else None,
        "rss_last_mb": round(rss[-1] / MB) if rss else None,
        "rss_peak_mb": round(max(rss) / MB) if rss else None,
        "rss_series_mb": [(round(t), round(v / MB)) for t, v in sampler.series],
        "query_processes_at_end": processes_at_end,
        "kill": kill,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the soak, write its results, regenerate docs/benchmarks.md."""
    from .report import render_docs
    from .run import RESULTS, machine, results_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--query-timeout", type=float, default=5.0, help="the server's limit (cytokg serve default: 30)"
    )
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--note", default="")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    when = datetime.datetime.now(datetime.UTC)
    meta = machine() | {"date": when.isoformat(timespec="seconds"), "note": args.note, "profile": {"name": "soak"}}
    result = soak(args.build_dir, args.work, args.seconds, args.concurrency, args.query_timeout)
    meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    path = results_path("soak", when, meta["host"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "soak": result}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}: {result['requests']} requests, unexpected {result['unexpected']}, kill {result['kill']}")  # noqa: T201
    if not args.no_docs:
        render_docs(RESULTS, ROOT / "docs")


if __name__ == "__main__":
    main()
