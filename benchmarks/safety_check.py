"""The safety check's cost per query, before and after: what every request pays before the store sees it.

``python -m benchmarks.safety_check [--before REV]`` (``make bench-safety``) times, for every query of the suite
(``queries/examples/`` and ``benchmarks/queries/``), in this one process:

- **vet**: what a query process runs before the query (``cytokg.backends.embedded.vet``: the safety decision,
  and the FROM / FROM NAMED IRIs when the query names a dataset);
- **vet before**: the same decision by ``src/cytokg/sparql/safety.py`` of git revision ``REV`` (default: the
  commit before the lexer, ``d51d1cc``), loaded from git into a module of its own;
- **full parse**: the rdflib parse every query would pay without a shortcut (``thorough``);
- **nesting**: the bracket depth check the web process runs on every request, now and at ``REV``;
- **pool round trip** (with a build): ``QueryPool.run`` of two cheap queries, from sending the job to the
  answer, p50 over ``--calls`` calls: the fixed cost of a query process per request.

Each figure is the median of ``--repeat`` timings (each the mean of a loop long enough to be timed). Writes
benchmarks/results/<date>-<host>-safety.json and regenerates docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .run import ROOT, machine, results_path

__all__ = ["main", "old_safety", "time_call"]

BEFORE = "d51d1cc"


def old_safety(revision: str) -> types.ModuleType:
    """``cytokg.sparql.safety`` as it was at ``revision``, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:src/cytokg/sparql/safety.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(f"safety_at_{revision}")
    exec(compile(source, f"{revision}:safety.py", "exec"), module.__dict__)  # noqa: S102 - our own file from git
    return module


def time_call(call: Callable[[], object], repeat: int) -> float:
    """The median over ``repeat`` rounds of the mean time of one call (seconds); each round lasts >= 20 ms."""
    call()
    loops, elapsed = 1, 0.0
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            call()
        elapsed = time.perf_counter() - started
        if elapsed >= 0.02:
            break
        loops *= 2
    rounds = [elapsed / loops]
    for _ in range(repeat - 1):
        started = time.perf_counter()
        for _ in range(loops):
            call()
        rounds.append((time.perf_counter() - started) / loops)
    return statistics.median(rounds)


def _vet_before(module: types.ModuleType, text: str) -> None:
    if module.inspect_query(text):
        module.query_dataset(text)


def measure(revision: str, repeat: int) -> dict[str, Any]:
    """Microseconds per query for vet, vet before, full parse and nesting (now and before)."""
    from cytokg.backends.base import Job
    from cytokg.backends.embedded import vet
    from cytokg.sparql.safety import inspect_query, nesting_depth, plainly_safe

    before = old_safety(revision)
    folders = (ROOT / "queries" / "examples", ROOT / "benchmarks" / "queries")
    files = [path for folder in folders for path in sorted(folder.glob("*.rq"))]
    queries: dict[str, Any] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        job = Job(text)
        calls: dict[str, Callable[[], object]] = {
            "vet_us": functools.partial(vet, job, frozenset()),
            "vet_before_us": functools.partial(_vet_before, before, text),
            "full_parse_us": functools.partial(inspect_query, text, thorough=True),
            "nesting_us": functools.partial(nesting_depth, text),
            "nesting_before_us": functools.partial(before.nesting_depth, text),
        }
        queries[path.stem] = {
            "bytes": len(text.encode()),
            "shortcut": plainly_safe(text),
            "shortcut_before": bool(before.plainly_safe(text)),
        } | {name: 1e6 * time_call(call, repeat) for name, call in calls.items()}
        print(f"{path.stem}: vet {queries[path.stem]['vet_us']:.0f} us", file=sys.stderr)  # noqa: T201
    return {"before": revision, "repeat": repeat, "queries": queries}


def round_trips(build_dir: Path, calls: int) -> dict[str, float]:
    """p50 microseconds of ``QueryPool.run`` for ASK and the entity lookup on the built store."""
    from cytokg.backends.base import Job
    from cytokg.backends.embedded import QueryPool
    from cytokg.backends.lanes import LaneSettings
    from cytokg.publish import current_release

    pool = QueryPool(current_release(build_dir) / "oxigraph", LaneSettings(fast=2))
    pool.start()
    texts = {
        "ask": "ASK { ?s ?p ?o }",
        "entity-lookup": (ROOT / "benchmarks" / "queries" / "entity-lookup.rq").read_text(encoding="utf-8"),
    }
    result: dict[str, float] = {}
    try:
        for name, text in texts.items():
            job = Job(text)
            for _ in range(50):
                pool.run(job)
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                pool.run(job)
                times.append(time.perf_counter() - started)
            result[name] = 1e6 * statistics.median(times)
    finally:
        pool.close()
    return result


def main(argv: list[str] | None = None) -> None:
    """Measure and write the results and the docs."""
    from .report import render_docs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=7, help="timing rounds per figure (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=2000, help="pool round trips per query (default: %(default)s)")
    parser.add_argument("--note", default="", help="a remark printed above the section (e.g. the machine was busy)")
    args = parser.parse_args(argv)
    when = datetime.datetime.now(datetime.UTC)
    meta = machine() | {"date": when.isoformat(timespec="seconds"), "note": args.note}
    meta["profile"] = {"name": "safety"}
    result = measure(args.before, args.repeat)
    build = ROOT / "build"
    if (build / "current").exists():
        result["round_trip_us"] = round_trips(build, args.calls)
    meta["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    path = results_path("safety", when, meta["host"])
    path.write_text(json.dumps({"meta": meta, "safety": result}, indent=1) + "\n", encoding="utf-8")
    print(path, render_docs(path.parent, ROOT / "docs"))  # noqa: T201


if __name__ == "__main__":
    main()
