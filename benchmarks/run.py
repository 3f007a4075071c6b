"""Run the benchmark: query suite side by side, scale series, build and gates; write results and the docs.

``python -m benchmarks.run --profile full|quick`` (``make bench`` / ``make bench-quick``) writes
``benchmarks/results/<date>-<host>[-quick].json`` and, for a full run, regenerates docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import psutil

from .load import HEAVY, Query, load_suite, measure_query
from .measure import MB, Sampler, dir_size, run_measured, tree_breakdown, tree_cpu
from .synthetic import generate
from .systems import CYTOKG_SERVER, NotAvailable, Server, start_bare, start_cytokg, start_rdflib, virtuoso

__all__ = ["PROFILES", "Profile", "machine", "main"]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
PACKAGES = (
    "pyoxigraph",
    "rdflib",
    "rdflib-endpoint",
    "flask",
    "waitress",
    "limits",
    "gunicorn",
    "pyshacl",
    "pyshacl-turbo",
    "owlready2",
)
DEBIAN = ("wrk", "virtuoso-opensource", "default-jdk-headless", "libowlapi-java")
SCALE_QUERIES = (*HEAVY, "label-text-search", "entity-lookup", "cq16-gp130-family", "cq31-jak-stat-by-receptor")


@dataclass(frozen=True)
class Profile:
    """How much to measure; every part is bounded in time."""

    name: str
    systems: tuple[str, ...]
    queries: tuple[str, ...] | None  # None: the whole suite
    c1: int  # seconds of load at concurrency 1 per query
    c16: int  # seconds of load at concurrency 16 per query
    slow: float  # a query slower than this (s) on one request is not load-tested
    timeout: float  # client time limit per request (s)
    scales: tuple[int, ...]  # triples
    scale_c1: int  # seconds at concurrency 1 per query per scale point
    scale_budget: float  # seconds per system per scale point for the query suite
    scale_timeout: float  # client time limit per request at a scale point (s): slower counts as broken down
    rdflib_load_cap: float  # seconds rdflib may take to load a scale point
    rdflib_memory_cap: int  # MB of RSS rdflib may reach while loading
    build_gates: bool
    tests: bool  # time the test suite (the README's `make test`)


PROFILES = {
    "full": Profile(
        "full",
        ("cytokg", "bare", "rdflib", "virtuoso"),
        None,
        c1=1,
        c16=2,
        slow=2.0,
        timeout=35.0,  # past the CytoKG server's own 30 s limit, so its 503 is seen
        scales=(100_000, 1_000_000, 5_000_000),
        scale_c1=1,
        scale_budget=60.0,
        scale_timeout=15.0,
        rdflib_load_cap=90.0,
        rdflib_memory_cap=4096,
        build_gates=True,
        tests=True,
    ),
    "quick": Profile(
        "quick",
        ("cytokg", "bare", "rdflib"),
        (*HEAVY, "entity-lookup", "cq16-gp130-family", "cq31-jak-stat-by-receptor"),
        c1=1,
        c16=1,
        slow=1.0,
        timeout=10.0,
        scales=(100_000,),
        scale_c1=1,
        scale_budget=20.0,
        scale_timeout=10.0,
        rdflib_load_cap=30.0,
        rdflib_memory_cap=2048,
        build_gates=False,
        tests=False,
    ),
}


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _debian(package: str) -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "not installed"


def machine() -> dict[str, Any]:
    """Where the numbers come from: host, CPU, memory, OS, Python, versions, load average."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line), cpu
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": commit.stdout.strip(),
        "packages": {name: _version(name) for name in PACKAGES},
        "debian": {name: _debian(name) for name in DEBIAN},
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _start(name: str, build_dir: Path, graph_file: Path, logs: Path) -> Server:
    if name == "cytokg":
        return start_cytokg(build_dir, logs / "cytokg.log")
    if name == "bare":
        return start_bare(build_dir / "oxigraph", logs / "bare.log")
    if name == "rdflib":
        return start_rdflib(graph_file, logs / "rdflib.log")
    raise ValueError(name)


def _suite_on(server: Server, queries: list[Query], profile: Profile) -> dict[str, Any]:
    sampler = Sampler(server.pid, 0.5)
    sampler.start()
    results: dict[str, Any] = {}
    for query in queries:
        results[query.name] = measure_query(
            server.url,
            query,
            c1=profile.c1,
            c16=profile.c16,
            slow=profile.slow,
            timeout=profile.timeout,
            cpu=functools.partial(tree_cpu, server.pid),
        )
        _say(f"  {server.name} {query.name}: {_brief(results[query.name])}")
    return {"queries": results, "peak_rss_mb": round(sampler.stop() / MB)}


def _brief(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return str(result["skipped"])
    parts = [f"probe {result['probe']['seconds'] * 1000:.1f} ms"]
    for level in ("c1", "c16"):
        if level in result and result[level]["p50_s"] is not None:
            parts.append(f"{level} p50 {result[level]['p50_s'] * 1000:.1f} ms {result[level]['rps']:.0f}/s")
    return ", ".join(parts)


def run_suite(profile: Profile, build_dir: Path, work: Path) -> dict[str, Any]:
    """The query suite over HTTP on the real graph, each system in turn (one at a time on the machine)."""
    queries = load_suite(list(profile.queries) if profile.queries else None)
    systems: dict[str, Any] = {}
    for name in profile.systems:
        _say(f"suite: {name}")
        if name == "virtuoso":
            systems[name] = _virtuoso_suite(queries, profile, build_dir, work)
            continue
        server = _start(name, build_dir, build_dir / "cytokg.ttl", work / "logs")
        try:
            ready = server.wait_ready(120)
            if ready is None:
                systems[name] = {"status": "not measured", "reason": f"no answer within 120 s (log: {work / 'logs'})"}
                continue
            entry: dict[str, Any] = {"status": "measured", "cold_start_s": round(ready, 2)}
            entry["idle_rss_mb"] = round(server.rss() / MB)
            entry.update(_suite_on(server, queries, profile))
            systems[name] = entry
        finally:
            server.stop()
    return {"queries": [query.name for query in queries], "systems": systems}


def _virtuoso_suite(queries: list[Query], profile: Profile, build_dir: Path, work: Path) -> dict[str, Any]:
    try:
        with virtuoso(build_dir, work / "virtuoso", work / "logs" / "virtuoso-load.log") as server:
            entry: dict[str, Any] = {"status": "measured", "load_s": round(server.extra["load_seconds"], 2)}
            entry["cold_start_s"] = round(server.extra["start_seconds"], 2)  # empty database, start to ready
            entry["buffers"] = server.extra["buffers"]
            entry["idle_rss_mb"] = round(server.rss() / MB)
            entry.update(_suite_on(server, queries, profile))
            return entry
    except NotAvailable as error:
        _say(f"  virtuoso not measured: {error}")
        return {"status": "not measured", "reason": str(error)}
    except (AttributeError, TypeError, OSError, subprocess.SubprocessError) as error:
        # cytokg.testing.virtuoso's interface differs from the one assumed in systems.virtuoso: say so, keep running.
        _say(f"  virtuoso failed: {error!r}")
        return {"status": "not measured", "reason": f"the Virtuoso wrapper failed: {type(error).__name__}: {error}"}


#: Builds a scale point's store, search index and statistics exactly as the build does, in a child process we
#: can measure.
_STORE = (
    "import sys; from pathlib import Path; from cytokg.store import INFERRED_GRAPH, add_named_graph, create_store; "
    "from cytokg.store import open_store; from cytokg.search import SEARCH_FILE, write_index; "
    "from cytokg.statistics import write_statistics; "
    "create_store(Path(sys.argv[1]), Path(sys.argv[2])); "
    "write_index(open_store(Path(sys.argv[2])), Path(sys.argv[2]).parent / SEARCH_FILE); "
    "add_named_graph(Path(sys.argv[2]), Path(sys.argv[3]), INFERRED_GRAPH); "
    "write_statistics(Path(sys.argv[2]).parent, Path(sys.argv[4]))"
)


def _scale_suite(server: Server, queries: list[Query], profile: Profile) -> dict[str, Any]:
    deadline = time.monotonic() + profile.scale_budget
    results: dict[str, Any] = {}
    for query in queries:
        if time.monotonic() > deadline:
            results[query.name] = {"skipped": f"the {profile.scale_budget:g} s budget for this scale point ran out"}
            continue
        results[query.name] = measure_query(
            server.url, query, c1=profile.scale_c1, c16=0, slow=profile.slow, timeout=profile.scale_timeout
        )
        _say(f"    {server.name} {query.name}: {_brief(results[query.name])}")
    return results


def _in_mb(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each process's role, RSS and PSS in MB."""
    return [{"process": r["process"], "rss_mb": round(r["rss"] / MB), "pss_mb": round(r["pss"] / MB)} for r in rows]


def _serve_point(server: Server, queries: list[Query], profile: Profile, cap: float, memory_cap: int) -> dict[str, Any]:
    """Cold start, memory at ready and at the peak (RSS summed over the process tree, as the targets count it, and
    PSS beside it), and the scale suite's latencies."""
    sampler = Sampler(server.pid, 0.2, pss=True)
    sampler.start()
    try:
        answered = None
        alive: Callable[[], bool] = lambda: server.alive() and sampler.peak < memory_cap * MB  # noqa: E731
        from .measure import first_answer

        answered = first_answer(server.url, server.started + cap, alive)
        if answered is None:
            peak = sampler.peak / MB
            why = (
                f"stopped at {memory_cap:,} MB of memory while loading"
                if sampler.peak >= memory_cap * MB
                else f"did not answer within {cap:g} s"
            )
            return {"status": "did not finish", "reason": why, "peak_rss_mb": round(peak)}
        entry: dict[str, Any] = {"status": "measured", "cold_start_s": round(answered - server.started, 2)}
        ready = tree_breakdown(server.pid)
        entry["ready_rss_mb"] = round(sum(row["rss"] for row in ready) / MB)
        entry["ready_pss_mb"] = round(sum(row["pss"] for row in ready) / MB)
        entry["ready_processes"] = _in_mb(ready)
        entry["queries"] = _scale_suite(server, queries, profile)
        entry["peak_rss_mb"] = round(sampler.peak / MB)
        entry["peak_pss_mb"] = round(sampler.peak_pss / MB)
        entry["peak_processes"] = _in_mb(sampler.at_peak)
        return entry
    finally:
        sampler.stop()
        server.stop()


def run_scale(profile: Profile, build_dir: Path, work: Path) -> list[dict[str, Any]]:
    """CytoKG's embedded store and rdflib at each size: load, memory, disk, cold start, suite latency."""
    queries = load_suite(list(SCALE_QUERIES))
    points = []
    for target in profile.scales:
        folder = work / "scale" / str(target)
        graph = folder / "graph.nt"
        _say(f"scale {target:,}: generating")
        triples = generate(build_dir / "cytokg.nt", target, graph)
        point: dict[str, Any] = {"target": target, "triples": triples, "file_mb": round(graph.stat().st_size / MB)}
        _say(f"scale {target:,}: loading the Oxigraph store")
        shutil.rmtree(folder / "oxigraph", ignore_errors=True)
        inferred = build_dir / "cytokg-inferred-types.nt"
        loaded = run_measured(
            [sys.executable, "-c", _STORE, str(graph), str(folder / "oxigraph"), str(inferred), str(ROOT / "queries")],
            timeout=1800,  # the store, its search index and its statistics
        )
        cytokg: dict[str, Any] = {"load_s": round(loaded.seconds, 2), "load_peak_rss_mb": round(loaded.peak_rss / MB)}
        if loaded.returncode != 0:
            cytokg.update(status="did not finish", reason=loaded.reason or f"store load exited {loaded.returncode}")
        else:
            cytokg["store_mb"] = round(dir_size(folder / "oxigraph") / MB)
            _say(f"scale {target:,}: cytokg serve")
            # The server stops a query when the client gives up on it, so a query that breaks down does not hold
            # the client's share of the heavy lane (HTTP 429) while the next queries are timed.
            log = work / "logs" / f"cytokg-{target}.log"
            server = start_cytokg(folder, log, query_timeout=profile.scale_timeout)
            cytokg.update(_serve_point(server, queries, profile, 300, 16_384))
        point["cytokg"] = cytokg
        _say(f"scale {target:,}: rdflib-endpoint")
        server = start_rdflib(graph, work / "logs" / f"rdflib-{target}.log")
        point["rdflib"] = _serve_point(server, queries, profile, profile.rdflib_load_cap, profile.rdflib_memory_cap)
        points.append(point)
        shutil.rmtree(folder, ignore_errors=True)  # up to 1.5 GB at 5M; regenerated identically on the next run
    return points


def run_build_gates(work: Path) -> dict[str, Any]:
    """Wall time and peak memory of ``cytokg build`` and of each gate of ``cytokg check``; SHACL engines."""
    target = work / "build-timing"
    shutil.rmtree(target, ignore_errors=True)
    cytokg = str(Path(sys.executable).with_name("cytokg"))
    _say("build: cytokg build")
    build = run_measured([cytokg, "build", "--build-dir", str(target)], timeout=900, cwd=ROOT)
    _say("build: cytokg check")
    check = run_measured([cytokg, "check", "--build-dir", str(target)], timeout=900, cwd=ROOT)
    _say("build: SHACL engines")
    engines = subprocess.run(
        [sys.executable, "-m", "benchmarks.shacl_engines", str(target), str(ROOT / "shapes")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    shacl = json.loads(engines.stdout) if engines.returncode == 0 else {"error": engines.stderr[-500:]}
    result = {
        "build": {
            "seconds": round(build.seconds, 1),
            "peak_rss_mb": round(build.peak_rss / MB),
            "exit": build.returncode,
        },
        "build_phases": build.phases(),
        "check": {
            "seconds": round(check.seconds, 1),
            "peak_rss_mb": round(check.peak_rss / MB),
            "exit": check.returncode,
        },
        "check_phases": check.phases(),
        "shacl_engines": shacl,
    }
    shutil.rmtree(target, ignore_errors=True)
    return result


def run_tests(work: Path) -> dict[str, Any]:
    """Wall time of the test suite as `make test` runs it (pytest with the project's settings), in CI mode; its
    output goes to ``work/pytest.log``."""
    _say("tests: python -m pytest")
    environment = os.environ | {"CYTOKG_REQUIRE_ALL": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(work / "pytest")]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False, timeout=3600)
    seconds = time.monotonic() - started
    (work / "pytest.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return {"seconds": round(seconds, 1), "exit": done.returncode, "summary": lines[-1].strip("= ") if lines else ""}


def results_path(profile: str, when: datetime.datetime, host: str) -> Path:
    """benchmarks/results/<date>-<host>[-<profile>].json (the full profile has no suffix)."""
    suffix = "" if profile == "full" else f"-{profile}"
    return RESULTS / f"{when:%Y-%m-%d}-{host}{suffix}.json"


def main(argv: list[str] | None = None) -> None:
    """Run a profile and write its results (and the docs, unless --no-docs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench", help="scratch: scale graphs, logs")
    parser.add_argument("--note", default="", help="shown at the top of docs/benchmarks.md (e.g. 'smoke run')")
    parser.add_argument("--no-docs", action="store_true", help="do not regenerate docs/benchmarks.md")
    parser.add_argument("--parts", default="suite,scale,build,tests", help="what to run, of suite,scale,build,tests")
    parser.add_argument("--scales", default=None, help="override the profile's sizes, e.g. 100000,1000000")
    parser.add_argument("--systems", default=None, help="override the profile's suite systems, e.g. cytokg,bare")
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile]
    if args.scales:
        profile = replace(profile, scales=tuple(int(size) for size in args.scales.split(",")))
    if args.systems:
        profile = replace(profile, systems=tuple(args.systems.split(",")))
    parts = set(args.parts.split(","))
    if not (args.build_dir / "oxigraph").exists():
        sys.exit(f"error: {args.build_dir / 'oxigraph'}: no store; run `cytokg build` (make bench does)")
    started = time.monotonic()
    when = datetime.datetime.now(datetime.UTC)
    results: dict[str, Any] = {"meta": machine() | {"date": when.isoformat(timespec="seconds"), "note": args.note}}
    results["meta"]["profile"] = asdict(profile)
    results["meta"]["cytokg_server"] = CYTOKG_SERVER
    results["meta"]["parts"] = sorted(parts)
    results["suite"] = (
        run_suite(profile, args.build_dir, args.work) if "suite" in parts else {"queries": [], "systems": {}}
    )
    results["scale"] = run_scale(profile, args.build_dir, args.work) if "scale" in parts else []
    if profile.build_gates and "build" in parts:
        results["build"] = run_build_gates(args.work)
    if profile.tests and "tests" in parts:
        results["tests"] = run_tests(args.work)
    results["meta"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["seconds"] = round(time.monotonic() - started)
    path = results_path(profile.name, when, results["meta"]["host"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    _say(f"wrote {path.relative_to(ROOT)} in {results['meta']['seconds']} s")
    from .report import render_docs, summary

    print(summary(results))  # noqa: T201
    if not args.no_docs:
        _say(f"wrote {render_docs(RESULTS, ROOT / 'docs').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
