"""Results JSON → docs/benchmarks.md (tables, targets, machine, versions) and PNG plots in docs/benchmarks/.

``python -m benchmarks.report`` re-renders from the newest results in benchmarks/results/.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

__all__ = ["latest", "render", "render_docs", "summary", "targets"]

SYSTEMS = ("cytokg", "bare", "rdflib", "virtuoso")
TITLES = {
    "cytokg": "CytoKG (`cytokg serve`)",
    "bare": "bare Flask + pyoxigraph",
    "rdflib": "rdflib-endpoint",
    "virtuoso": "Virtuoso",
}


def latest(results_dir: Path, profile: str) -> dict[str, Any] | None:
    """The newest results file of ``profile`` (by its recorded date), or None."""
    found = []
    for path in results_dir.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("meta", {}).get("profile", {}).get("name") == profile:
            found.append((data["meta"]["date"], path.name, data))
    return max(found, key=lambda item: (item[0], item[1]))[2] if found else None


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    ms = seconds * 1000
    return f"{ms:.1f}" if ms < 100 else f"{ms:,.0f}"


def _level(entry: dict[str, Any] | None, query: str, level: str) -> dict[str, Any] | None:
    if not entry or entry.get("status") != "measured":
        return None
    result = entry["queries"].get(query, {})
    measured = result.get(level)
    return measured if measured and measured.get("ok") else None


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The targets of issues 19 and 9: (target, measured, verdict)."""
    suite = results["suite"]
    systems = suite["systems"]
    rows = [_c1_target(suite), _c16_target(suite)]
    build = results.get("build")
    total = build["build"]["seconds"] + build["check"]["seconds"] if build else None
    text = f"{build['build']['seconds']} s + {build['check']['seconds']} s = {total:.0f} s" if build and total else "-"
    rows.append(("`cytokg build` + `cytokg check` <= 60 s (issue 19)", text, _verdict(total, 60)))
    tests = results.get("tests")
    seconds = tests["seconds"] if tests else None
    text = f"{seconds} s ({tests['summary']})" if tests else "not measured"
    rows.append(("`make test`: pytest <= 300 s (issue 19)", text, _verdict(seconds, 300)))
    rows += _scale_targets(results.get("scale", []))
    rows.append(_rdflib_target(suite))
    cold = systems.get("cytokg", {}).get("cold_start_s")
    rows.append(
        ("cold start to first answer <= 1 s (issue 9)", f"{cold} s" if cold is not None else "-", _verdict(cold, 1.0))
    )
    return rows


def _c1_target(suite: dict[str, Any]) -> tuple[str, str, str]:
    """Concurrency 1: CytoKG's p50 over the bare app's, on every query."""
    systems = suite["systems"]
    worst, over = 0.0, []
    for query in _comparable(suite):
        ours, bare = _level(systems.get("cytokg"), query, "c1"), _level(systems.get("bare"), query, "c1")
        if ours and bare and bare["p50_s"]:
            ratio = ours["p50_s"] / bare["p50_s"]
            worst = max(worst, ratio)
            if ratio > 1.25:
                over.append(f"{query} {ratio:.2f}x")
    text = "not measured" if not worst else f"worst {worst:.2f}x" + (f"; over 1.25x: {', '.join(over)}" if over else "")
    text += _cpu_ratio(suite, "c1") + _not_comparable(suite)
    return ("c1 p50 <= 1.25x the bare app on every query (issue 19)", text, _verdict(worst or None, 1.25))


def _c16_target(suite: dict[str, Any]) -> tuple[str, str, str]:
    """Concurrency 16: CytoKG's requests/s over the bare app's, on every query."""
    systems = suite["systems"]
    worst: float | None = None
    under = []
    for query in _comparable(suite):
        ours, bare = _level(systems.get("cytokg"), query, "c16"), _level(systems.get("bare"), query, "c16")
        if ours and bare and bare["rps"]:
            ratio = ours["rps"] / bare["rps"]
            worst = ratio if worst is None else min(worst, ratio)
            if ratio < 0.9:
                under.append(f"{query} {ratio:.2f}x")
    text = "not measured" if worst is None else f"worst {worst:.2f}x"
    if under:
        text += f"; under 0.9x ({len(under)} of {len(_comparable(suite))}): {', '.join(under)}"
    text += _cpu_ratio(suite, "c16") + _not_comparable(suite)
    return ("c16 requests/s >= 0.9x the bare app on every query (issue 19)", text, _verdict(worst, 0.9, above=True))


def _cpu_ratio(suite: dict[str, Any], level: str) -> str:
    """Why, in one figure: the median over the queries of CytoKG's server CPU per answer over the bare app's."""
    systems = suite["systems"]
    ratios = sorted(
        mine / theirs
        for query in _comparable(suite)
        if (mine := _cpu(systems.get("cytokg"), query, level)) and (theirs := _cpu(systems.get("bare"), query, level))
    )
    if not ratios:
        return ""
    median = ratios[len(ratios) // 2]
    return f"; server CPU per answer: median {median:.2f}x the bare app's (from {ratios[0]:.2f}x to {ratios[-1]:.2f}x)"


def _answer_sizes(suite: dict[str, Any], query: str) -> list[Any]:
    """The sizes of CytoKG's and the bare app's checked answers to ``query``."""
    systems = suite["systems"]
    return [
        systems.get(name, {}).get("queries", {}).get(query, {}).get("probe", {}).get("rows")
        for name in ("cytokg", "bare")
    ]


def _comparable(suite: dict[str, Any]) -> list[str]:
    """The queries CytoKG and the bare app answer with answers of one size (the bare app has no `text:matches`)."""
    return [query for query in suite["queries"] if len(set(_answer_sizes(suite, query))) == 1]


def _not_comparable(suite: dict[str, Any]) -> str:
    """The queries left out of a comparison with the bare app, and why."""
    left = [query for query in suite["queries"] if query not in _comparable(suite)]
    sizes = [f"{query} ({' vs '.join(str(size) for size in _answer_sizes(suite, query))} rows)" for query in left]
    return f"; not compared, the answers differ (CytoKG vs bare): {', '.join(sizes)}" if left else ""


def _scale_targets(points: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """At 5M triples: peak memory, cold start, label search and GROUP BY per disease."""
    big = [p for p in points if p["target"] >= 5_000_000 and p.get("cytokg", {}).get("status") == "measured"]
    if not big:
        return [("5M triples: peak RSS, cold start, label search, GROUP BY (issue 19)", "not measured", "not measured")]
    point = big[0]["cytokg"]
    rss, cold = point.get("peak_rss_mb"), point.get("cold_start_s")
    pss = f" (RSS summed over the processes; PSS {point['peak_pss_mb']} MB)" if "peak_pss_mb" in point else ""
    rows = [
        (
            "5M triples: serving peak <= 400 MB (issue 19)",
            f"{rss} MB at {big[0]['triples']:,} triples{pss}",
            _verdict(rss, 400),
        ),
        ("5M triples: cold start <= 1.5 s (issue 19)", f"{cold} s", _verdict(cold, 1.5)),
    ]
    for query, title, limit in (
        ("label-text-search", "label search through `text:matches`", 0.2),
        ("associations-per-disease", "GROUP BY per disease", 0.5),
    ):
        seconds = _latency(point.get("queries", {}).get(query, {}))
        text = "not measured" if seconds is None else f"{_ms(seconds)} ms (`{query}`)"
        rows.append((f"5M triples: {title} <= {limit * 1000:.0f} ms (issue 19)", text, _verdict(seconds, limit)))
    return rows


def _latency(result: dict[str, Any]) -> float | None:
    """A query's p50 at concurrency 1, else the time of its single probe answer (None if it failed)."""
    if result.get("c1"):
        return float(result["c1"]["p50_s"])
    probe = result.get("probe", {})
    return float(probe["seconds"]) if probe.get("status") == 200 else None


def _rdflib_target(suite: dict[str, Any]) -> tuple[str, str, str]:
    """Concurrency 16: the geometric mean of CytoKG's requests/s over rdflib-endpoint's."""
    systems = suite["systems"]
    ratios, untested = [], []
    for query in suite["queries"]:
        ours, theirs = _level(systems.get("cytokg"), query, "c16"), _level(systems.get("rdflib"), query, "c16")
        if ours and theirs:
            ratios.append(ours["rps"] / theirs["rps"])
        elif ours and "skipped" in systems.get("rdflib", {}).get("queries", {}).get(query, {}):
            untested.append(query)
    mean = _geomean(ratios)
    text = "not measured" if mean is None else f"{mean:.1f}x over {len(ratios)} queries"
    if untested:
        text += f" (+{len(untested)} queries rdflib answers too slowly to load-test: {', '.join(untested)})"
    return ("c16 requests/s >= 20x rdflib-endpoint, geometric mean (issue 9)", text, _verdict(mean, 20, above=True))


def _verdict(value: float | None, limit: float, *, above: bool = False) -> str:
    """Whether ``value`` is at most ``limit`` (or at least, ``above``)."""
    if value is None:
        return "not measured"
    return "met" if (value >= limit if above else value <= limit) else "**not met**"


def _suite_tables(results: dict[str, Any]) -> list[str]:
    suite = results["suite"]
    systems = [name for name in SYSTEMS if name in suite["systems"]]
    measured = [name for name in systems if suite["systems"][name].get("status") == "measured"]
    lines = ["### Systems", "", "| system | status | cold start (s) | RSS idle / peak (MB) |", "|---|---|---|---|"]
    for name in systems:
        entry = suite["systems"][name]
        if entry.get("status") != "measured":
            lines.append(f"| {TITLES[name]} | not measured: {entry.get('reason', '')} | - | - |")
            continue
        rss = f"{entry.get('idle_rss_mb', '-')} / {entry.get('peak_rss_mb', '-')}"
        status = "measured"
        if "load_s" in entry:
            status += f"; `cytokg load` took {entry['load_s']} s"
        lines.append(f"| {TITLES[name]} | {status} | {entry.get('cold_start_s', '-')} | {rss} |")
    header = "| query | " + " | ".join(measured) + " | cytokg / bare |"
    lines += ["", "### Concurrency 1: p50 / p99 latency (ms)", "", header, "|---" * (len(measured) + 2) + "|"]
    for query in suite["queries"]:
        cells = []
        for name in measured:
            level = _level(suite["systems"][name], query, "c1")
            cells.append(f"{_ms(level['p50_s'])} / {_ms(level['p99_s'])}" if level else _why(suite, name, query))
        ours, bare = (
            _level(suite["systems"].get("cytokg"), query, "c1"),
            _level(suite["systems"].get("bare"), query, "c1"),
        )
        ratio = f"{ours['p50_s'] / bare['p50_s']:.2f}x" if ours and bare and bare["p50_s"] else "-"
        lines.append(f"| {query} | " + " | ".join(cells) + f" | {ratio} |")
    header = "| query | " + " | ".join(measured) + " | cytokg / rdflib |"
    lines += ["", "### Concurrency 16: requests/s (p50 / p99 ms)", "", header, "|---" * (len(measured) + 2) + "|"]
    for query in suite["queries"]:
        cells = []
        for name in measured:
            level = _level(suite["systems"][name], query, "c16")
            if level:
                cells.append(f"{level['rps']:,.1f} ({_ms(level['p50_s'])} / {_ms(level['p99_s'])})")
            else:
                cells.append(_why(suite, name, query))
        ours = _level(suite["systems"].get("cytokg"), query, "c16")
        theirs = _level(suite["systems"].get("rdflib"), query, "c16")
        ratio = f"{ours['rps'] / theirs['rps']:.1f}x" if ours and theirs and theirs["rps"] else "-"
        lines.append(f"| {query} | " + " | ".join(cells) + f" | {ratio} |")
    lines += _cpu_table(suite)
    lines += ["", "Answer sizes (rows or triples of one checked answer), to show the systems agree:", ""]
    lines += ["| query | " + " | ".join(measured) + " |", "|---" * (len(measured) + 1) + "|"]
    for query in suite["queries"]:
        sizes = [str(suite["systems"][n]["queries"].get(query, {}).get("probe", {}).get("rows", "-")) for n in measured]
        mark = "" if len(set(sizes)) == 1 else " (sizes differ)"
        lines.append(f"| {query}{mark} | " + " | ".join(sizes) + " |")
    return lines


def _cpu_table(suite: dict[str, Any]) -> list[str]:
    """Server CPU time per answer, CytoKG beside the bare app (what caps requests/s once the cores are busy)."""
    systems = suite["systems"]
    ours, bare = systems.get("cytokg"), systems.get("bare")
    if not any(_cpu(ours, query, "c16") for query in suite["queries"]):
        return []
    lines = [
        "",
        "### Server CPU per answer (µs; every process of the server, `wrk` not counted)",
        "",
        "| query | cytokg c1 | bare c1 | cytokg c16 | bare c16 | cytokg / bare at c16 |",
        "|---|---|---|---|---|---|",
    ]
    for query in suite["queries"]:
        cells = [_cpu(system, query, level) for level in ("c1", "c16") for system in (ours, bare)]
        mine, theirs = cells[2], cells[3]
        ratio = f"{mine / theirs:.2f}x" if mine and theirs else "-"
        lines.append(f"| {query} | " + " | ".join(f"{cell:,}" if cell else "-" for cell in cells) + f" | {ratio} |")
    return lines


def _cpu(system: dict[str, Any] | None, query: str, level: str) -> int | None:
    entry = _level(system, query, level)
    return entry.get("cpu_us") if entry else None


def _why(suite: dict[str, Any], name: str, query: str) -> str:
    result = suite["systems"][name]["queries"].get(query, {})
    if "skipped" in result:
        return "not load-tested" if "not load-tested" in result["skipped"] else "failed"
    return "-"


def _scale_tables(points: list[dict[str, Any]]) -> list[str]:
    lines = [
        (
            "| triples | system | load / start (s) | load peak RSS (MB) | store on disk (MB) | cold start (s) | "
            "serving peak RSS / PSS (MB) | suite p50 (ms, geometric mean) |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for point in points:
        for name in ("cytokg", "rdflib"):
            entry = point.get(name, {})
            p50s = [q["c1"]["p50_s"] for q in entry.get("queries", {}).values() if q.get("c1", {}).get("p50_s")]
            mean = _geomean(p50s)
            skipped = sum(1 for q in entry.get("queries", {}).values() if "skipped" in q)
            latency = (
                "-"
                if mean is None
                else f"{mean * 1000:,.1f} ({len(p50s)} queries"
                + (f", {skipped} too slow or over budget)" if skipped else ")")
            )
            if entry.get("status") != "measured":
                latency = f"**{entry.get('reason', 'not measured')}**"
            load = entry.get("load_s", entry.get("cold_start_s", "-"))
            load_rss = entry.get("load_peak_rss_mb", "-") if name == "cytokg" else "(in serving)"
            store = entry.get("store_mb", "-") if name == "cytokg" else f"{point['file_mb']} (N-Triples file)"
            lines.append(
                f"| {point['triples']:,} | {name} | {load} | {load_rss} | {store} | {entry.get('cold_start_s', '-')} | "
                f"{entry.get('peak_rss_mb', '-')} / {entry.get('peak_pss_mb', '-')} | {latency} |"
            )
    return lines


def _memory_intro(points: list[dict[str, Any]]) -> list[str]:
    """The memory of CytoKG's processes, after how the targets count it (empty for results without it)."""
    lines = _memory_lines(points)
    if not lines:
        return []
    return [
        "Serving memory is the RSS summed over the server's process tree, as the issue's target counts it: a page",
        "several processes share (shared libraries, the modules every query process inherits from the fork server)",
        "counts once per process. PSS divides each shared page among the processes that map it. Per process:",
        "",
        *lines,
        "",
    ]


def _memory_lines(points: list[dict[str, Any]]) -> list[str]:
    """Where CytoKG's serving memory goes at each point: every process at ready and at the RSS peak."""
    lines = []
    for point in points:
        entry = point.get("cytokg", {})
        for moment, key in (("ready", "ready_processes"), ("at the peak", "peak_processes")):
            if entry.get(key):
                each = ", ".join(f"{row['process']} {row['rss_mb']} / {row['pss_mb']}" for row in entry[key])
                lines.append(f"- {point['triples']:,} triples, {moment} (RSS / PSS MB): {each}.")
    return lines


def _breakdowns(points: list[dict[str, Any]], slow: float = 1.0) -> list[str]:
    """Where each system breaks down: points it could not load, and queries slower than ``slow`` s or failed."""
    lines = []
    for name in ("cytokg", "rdflib"):
        for point in points:
            entry = point.get(name, {})
            where = f"- {name} at {point['triples']:,} triples:"
            if entry.get("status") != "measured":
                lines.append(f"{where} {entry.get('reason', 'not measured')}.")
                continue
            bad = []
            for query, result in entry.get("queries", {}).items():
                seconds = (result.get("c1") or {}).get("p50_s") or result.get("probe", {}).get("seconds")
                if "skipped" in result:
                    bad.append(f"{query} ({result['skipped']})")
                elif seconds and seconds > slow:
                    bad.append(f"{query} {seconds:.1f} s")
            if bad:
                lines.append(f"{where} over {slow:g} s per answer: " + "; ".join(bad) + ".")
    return lines or [f"- No query took over {slow:g} s at any size."]


def _build_tables(build: dict[str, Any]) -> list[str]:
    lines = ["| step | wall (s) | peak RSS (MB) |", "|---|---|---|"]
    lines.append(
        f"| `cytokg build` (all gates included) | {build['build']['seconds']} | {build['build']['peak_rss_mb']} |"
    )
    for phase in build["build_phases"]:
        lines.append(f"| &nbsp;&nbsp;build: {phase['phase']} | {phase['seconds']} | {phase['peak_rss_mb']} |")
    lines.append(f"| `cytokg check` | {build['check']['seconds']} | {build['check']['peak_rss_mb']} |")
    for phase in build["check_phases"]:
        lines.append(f"| &nbsp;&nbsp;check: {phase['phase']} | {phase['seconds']} | {phase['peak_rss_mb']} |")
    engines = build.get("shacl_engines", {})
    lines += ["", "SHACL engines on the gate's input (asserted graph + inferred types):", ""]
    lines += ["| engine | wall (s) | conforms | violations | failing fixtures caught |", "|---|---|---|---|---|"]
    for name in ("pyshacl", "pyshacl_turbo"):
        e = engines.get(name, {})
        caught = f"{e.get('failing_fixtures_caught', '-')} / {e.get('failing_fixtures', '-')}"
        lines.append(
            f"| {name} | {e.get('seconds', '-')} | {e.get('conforms', '-')} | {e.get('violations', '-')} | {caught} |"
        )
    return lines


def _soak_section(soak: dict[str, Any]) -> list[str]:
    s = soak["soak"]
    kill = s.get("kill", {})
    rate = s["requests"] / s["seconds"]
    limit = f"query time limit {s['query_timeout']:g} s"
    lines = [
        f"{s['seconds']:.0f} s at concurrency {s['concurrency']}, {limit}, {s['requests']:,} requests ({rate:.1f}/s).",
        "",
        "| outcome | count |",
        "|---|---|",
    ]
    for outcome, count in sorted(s["outcomes"].items()):
        lines.append(f"| {outcome} | {count:,} |")
    lines += [
        "",
        (
            f"- **Unexpected errors: {s['unexpected']}** (any answer other than 200, a quick refusal by admission "
            "control, or 503 at the time limit for the time-limit query)."
        ),
        f"- Refused by admission control (503 or 429 with Retry-After): {s['refused']:,}.",
        f"- Answered requests: p50 {_ms(s['ok_p50_s'])} ms, p99 {_ms(s['ok_p99_s'])} ms (all kinds together).",
        (
            f"- Server RSS after warm-up {s['rss_first_mb']} MB, at the end {s['rss_last_mb']} MB, "
            f"peak {s['rss_peak_mb']} MB (growth {s['rss_last_mb'] - s['rss_first_mb']:+} MB)."
        ),
    ]
    if kill.get("error"):
        lines.append(f"- Query process kill: {kill['error']}.")
    elif kill:
        replaced = kill.get("replaced_after_s")
        seen = "**not seen**" if replaced is None else f"seen after {replaced:.1f} s"
        lines.append(
            f"- Query process killed at {kill['at_s']:.0f} s (PID {kill['pid']}, SIGKILL): {kill['answered_after']} "
            f"answers in the next 5 s; a new query process {seen}; requests lost with it: {kill['lost']}; "
            f"query processes {kill['query_processes_before']} before, {kill['query_processes_5s_after']} 5 s "
            f"after, {s['query_processes_at_end']} at the end; the killed process 5 s later: "
            f"{kill['victim_5s_after']}."
        )
    return lines


def _burst_section(data: dict[str, Any]) -> list[str]:
    from .burst import targets as burst_targets

    meta, result = data["meta"], data["burst"]
    slowloris = result["slowloris"]
    lines = [f"> **{meta['note']}**", ""] if meta.get("note") else []
    lines += [
        (
            f"{meta['date']} on `{meta['host']}` ({meta['cores']} cores), CytoKG commit {meta['commit']}, "
            f"load average at start {meta['loadavg_start']} and end {meta['loadavg_end']}"
            + (" (quick profile)." if meta["profile"]["quick"] else ".")
        ),
        "",
        "`cytokg serve --trusted-proxy 127.0.0.1` with its production limits; each simulated client sends its own",
        "`X-Forwarded-For`. The harness runs on the same machine. Phases, one after the other: **burst** (200",
        "requests at once from 200 clients: 10 cartesian-product COUNTs, 30 answers of 100,000 rows, 160 entity",
        (
            "lookups and ASKs, shuffled); **hostile** (two 200 KB POSTs and ten "
            f"{result['hostile']['hostile_query_bytes'] / 1000:.0f} KB queries the safety shortcut cannot pass, so the"
        ),
        "full parse runs over thousands of FILTER terms, from 12 clients, while one client sends a cheap query every",
        f"20 ms); **slowloris** ({slowloris['sockets']} sockets, one header line every {slowloris['line_every_s']:g} s",
        f"for {slowloris['seconds']:g} s, while one client sends a cheap query every 20 ms); **one client** (200",
        "lookups in a row). Latencies are from sending to the last byte, over every reply whatever its status; the",
        "last column is the CPU that processes other than the server and the harness used (other people's work).",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t} | {m} | {v} |" for t, m, v in burst_targets(result)),
        "",
        "| phase | category | requests | statuses | p50 ms | p99 ms | max ms | other processes (cores) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase in ("burst", "hostile", "slowloris", "one_client"):
        groups = {**result[phase].get("attack", {}), **result[phase]["replies"]}
        for kind, group in groups.items():
            statuses = ", ".join(f"{status}: {count}" for status, count in group["statuses"].items())
            lines.append(
                f"| {phase.replace('_', ' ')} | {kind} | {group['requests']:,} | {statuses} | {_ms(group['p50_s'])} "
                f"| {_ms(group['p99_s'])} | {_ms(group['max_s'])} | {result[phase]['other_processes_cores']:.2f} |"
            )
    lines += [
        "",
        (
            f"Slowloris: {slowloris['not_accepted']} sockets not accepted, {slowloris['closed_by_server']} closed "
            f"by the server. Server RSS peak {result['peak_rss_mb']} MB; alive at the end: "
            f"{result['server_alive_at_end']}."
        ),
        "",
        "How to read the burst: every query starts in the fast lane (4 query processes) and holds its process for up",
        "to 0.5 s before it moves to the heavy lane (2 processes, 1 per client) or, with that lane full, is refused",
        "with 503. The 40 heavy queries of the burst therefore keep the fast lane busy for at least 40 x 0.5 s / 4 =",
        "5 s, and the 16 waitress threads waiting for it leave the rest of the burst in waitress's queue.",
        "",
        f"Before, from {data['before']['source']}:",
        "",
        *(f"- {name}: {value}" for name, value in data["before"].items() if name != "source"),
    ]
    return lines


def render(
    full: dict[str, Any] | None,
    soak: dict[str, Any] | None,
    images: dict[str, str],
    burst: dict[str, Any] | None = None,
    safety: dict[str, Any] | None = None,
) -> str:
    """docs/benchmarks.md as text."""
    out = ["# Benchmarks", "", "<!-- generated by `python -m benchmarks.report` from benchmarks/results/*.json -->", ""]
    if full is None:
        return "\n".join([*out, "No results yet: run `make bench`.", ""])
    meta = full["meta"]
    if meta.get("note"):
        out += [f"> **{meta['note']}**", ""]
    if meta["profile"]["name"] != "full":
        out += [f"> Profile `{meta['profile']['name']}`: a short run, not the full benchmark.", ""]
    out += [
        "Rerun: `make bench` (about 35 minutes, the test suite included), `make bench-quick` (a minute or two),",
        "`make bench-soak` (6 minutes), `make bench-burst` (3 minutes; `BENCH_ARGS=--quick`: 2).",
        "Ratios are measured side by side, one system at a time, in one run on one machine; absolute times hold for",
        "that machine only.",
        "",
        "## Machine and versions",
        "",
        (
            f"- {meta['date']} on `{meta['host']}`: {meta['cpu']}, {meta['cores']} cores, {meta['memory_gb']} GB; "
            f"{meta['os']}; Python {meta['python']}; CytoKG commit {meta['commit']}."
        ),
        (
            f"- Load average at start {meta['loadavg_start']} and end {meta.get('loadavg_end')} "
            "(a busy machine makes every number slower; the ratios suffer less)."
        ),
        "- "
        + ", ".join(f"{k} {v}" for k, v in meta["packages"].items())
        + "; Debian: "
        + ", ".join(f"{k} {v}" for k, v in meta["debian"].items())
        + ".",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *(f"| {t} | {m} | {v} |" for t, m, v in targets(full)),
        "",
        "## Query suite over HTTP (real graph)",
        "",
        "Every query in `queries/examples/` plus the heavier ones in `benchmarks/queries/`, sent as `GET ?query=`",
        f"from `wrk` on loopback: {meta['profile']['c1']} s at concurrency 1, then {meta['profile']['c16']} s at",
        "concurrency 16, after two probe requests (warm-up and answer check). A query whose single answer takes more",
        f"than {meta['profile']['slow']:g} s is not load-tested on that system. CytoKG runs as",
        f"{meta.get('cytokg_server', '2 gunicorn workers')}; the bare app as 2 gunicorn workers;",
        "rdflib-endpoint runs one process serving `build/cytokg.ttl` (asserted triples only: it does not see",
        "the reasoner's inferred memberships, so queries over inferred classes can differ in size). Virtuoso is",
        "a throw-away `cytokg.testing.virtuoso.LocalVirtuoso` (its defaults: 20,000 8-KiB buffers, 10 HTTP threads,",
        "not the 2 GB stock tuning) loaded by `cytokg load` into two named graphs; its `/sparql` queries all graphs.",
        "Cold start: from starting the server process to its first answer (Virtuoso: an empty database to ready).",
        "",
        *_suite_tables(full),
        "",
    ]
    if "latency" in images:
        out += [f"![Latency by concurrency]({images['latency']})", ""]
    if full.get("scale"):
        out += [
            "## Scale series",
            "",
            "The real graph plus a deterministic synthetic extension (`benchmarks/synthetic.py`: cytokines, receptor",
            "chains and complexes, disease associations and evidence axioms of the real shape). CytoKG: the on-disk",
            "store built by `cytokg.store` (bulk load, optimize, inferred graph), then `cytokg serve` over it.",
            "rdflib: rdflib-endpoint parsing the N-Triples file at start (capped at",
            f"{meta['profile']['rdflib_load_cap']:g} s and {meta['profile']['rdflib_memory_cap']:,} MB).",
            f"Suite: {', '.join(_scale_names(full))} at concurrency 1.",
            "",
            *_scale_tables(full["scale"]),
            "",
            *_memory_intro(full["scale"]),
            "Where it breaks down (answers slower than 1 s at concurrency 1, loads that did not finish):",
            "",
            *_breakdowns(full["scale"]),
            "",
        ]
        if "scale" in images:
            out += [f"![Load time and memory by graph size]({images['scale']})", ""]
    if full.get("build"):
        out += ["## Build and gates (real graph)", "", *_build_tables(full["build"]), ""]
    if full.get("tests"):
        tests = full["tests"]
        out += [
            "## Test suite",
            "",
            "`python -m pytest` as `make test` runs it (the project's pytest settings; `CYTOKG_REQUIRE_ALL=1`, as in",
            f"CI), after the other parts: {tests['seconds']} s wall, exit {tests['exit']}: {tests['summary']}.",
            "",
        ]
    out += ["## Load and fault run (`make bench-soak`)", ""]
    if soak and soak["meta"].get("note"):
        out += [f"> **{soak['meta']['note']}**", ""]
    if soak:
        meta = soak["meta"]
        out += [
            (
                f"{meta['date']} on `{meta['host']}`, CytoKG commit {meta['commit']}, load average at start "
                f"{meta['loadavg_start']} and end {meta.get('loadavg_end')}."
            ),
            "",
        ]
    out += _soak_section(soak) if soak else ["Not run yet: `make bench-soak`."]
    out += ["", "## Burst and hostile clients (`make bench-burst`)", ""]
    out += _burst_section(burst) if burst else ["Not run yet: `make bench-burst`."]
    out += ["", "## The safety check per query (`make bench-safety`)", ""]
    out += _safety_section(safety) if safety else ["Not run yet: `make bench-safety`."]
    return "\n".join(out) + "\n"


def _us(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _safety_section(data: dict[str, Any]) -> list[str]:
    """Vet time per query now and at the revision before the lexer, the full parse, the nesting check."""
    meta, result = data["meta"], data["safety"]
    queries = result["queries"]
    lines = [f"> **{meta['note']}**", ""] if meta.get("note") else []
    lines += [
        (
            f"{meta['date']} on `{meta['host']}`, CytoKG commit {meta['commit']} against {result['before']}, load "
            f"average at start {meta['loadavg_start']} and end {meta['loadavg_end']}; medians of {result['repeat']} "
            "rounds in one process (`benchmarks/safety_check.py`)."
        ),
        "",
        "*vet*: what a query process runs before each query (the safety decision, and the dataset's IRIs when the",
        "query names one); *before*: the same at the older revision; *full parse*: rdflib's parse, which a query",
        "pays when the lexer cannot decide; *nesting*: the bracket check the web process runs on every request.",
        "A query whose *shortcut* is yes is decided by the lexer alone.",
        "",
        "| query | bytes | shortcut (before) | vet µs | before µs | full parse µs | nesting µs (before) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in queries.items():
        shortcut = f"{'yes' if row['shortcut'] else 'no'} ({'yes' if row['shortcut_before'] else 'no'})"
        lines.append(
            f"| {name} | {row['bytes']:,} | {shortcut} | {_us(row['vet_us'])} | {_us(row['vet_before_us'])} "
            f"| {_us(row['full_parse_us'])} | {_us(row['nesting_us'])} ({_us(row['nesting_before_us'])}) |"
        )
    slowest = max(queries.items(), key=lambda item: item[1]["vet_us"])
    lines += [
        "",
        (
            f"Decided by the lexer alone: {sum(row['shortcut'] for row in queries.values())} of {len(queries)} "
            f"queries (before: {sum(row['shortcut_before'] for row in queries.values())}). Slowest vet: "
            f"{slowest[0]}, {_us(slowest[1]['vet_us'])} µs."
        ),
    ]
    trips = result.get("round_trip_us")
    if trips:
        lines += [
            "",
            "Query-process round trip (`QueryPool.run` in the web process, from sending the job to the answer, p50): "
            + ", ".join(f"{name} {_us(value)} µs" for name, value in trips.items())
            + ".",
        ]
    return lines


def _scale_names(full: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for point in full["scale"]:
        for name in point.get("cytokg", {}).get("queries", {}):
            if name not in names:
                names.append(name)
    return names


def _plots(full: dict[str, Any], folder: Path) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    images: dict[str, str] = {}
    suite = full["suite"]
    measured = [n for n in SYSTEMS if suite["systems"].get(n, {}).get("status") == "measured"]
    figure, axis = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(measured))
    common = {
        level: [q for q in suite["queries"] if all(_level(suite["systems"][n], q, level) for n in measured)]
        for level in ("c1", "c16")
    }
    for index, name in enumerate(measured):
        means = []
        for level in ("c1", "c16"):
            values = [_level(suite["systems"][name], q, level)["p50_s"] * 1000 for q in common[level]]  # type: ignore[index]
            means.append(_geomean(values) or 0)
        axis.bar([x + index * width for x in (0, 1)], means, width, label=name)
    axis.set_title(f"p50 latency over the {len(common['c16'])} queries every system was load-tested on")
    axis.set_xticks([0.4 - width / 2, 1.4 - width / 2], ["concurrency 1", "concurrency 16"])
    axis.set_yscale("log")
    axis.set_ylabel("p50 latency, ms (geometric mean over queries)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(folder / "latency-by-concurrency.png", dpi=100)
    plt.close(figure)
    images["latency"] = "benchmarks/latency-by-concurrency.png"
    if full.get("scale"):
        _scale_plot(full, folder / "scale.png", plt)
        images["scale"] = "benchmarks/scale.png"
    return images


def _scale_plot(full: dict[str, Any], path: Path, plt: Any) -> None:
    """Load/start time and peak RSS against graph size; a cross marks a run stopped at its cap."""
    points = full["scale"]
    cap = full["meta"]["profile"]["rdflib_load_cap"]
    series = {
        "left": [
            ("cytokg: store build", "cytokg", "load_s"),
            ("cytokg: serve, start to first answer", "cytokg", "cold_start_s"),
            ("rdflib-endpoint: start (load) to first answer", "rdflib", "cold_start_s"),
        ],
        "right": [("cytokg serve", "cytokg", "peak_rss_mb"), ("rdflib-endpoint", "rdflib", "peak_rss_mb")],
    }
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, key in zip(axes, ("left", "right"), strict=True):
        for label, system, field in series[key]:
            done = [
                (p["triples"], p[system][field])
                for p in points
                if p[system].get("status") == "measured" and p[system].get(field) is not None
            ]
            stopped = [p for p in points if p[system].get("status") == "did not finish"]
            line = axis.plot([x for x, _ in done], [y for _, y in done], marker="o", label=label)
            for point in stopped:
                value = cap if key == "left" else point[system].get("peak_rss_mb")
                if value:
                    axis.plot([point["triples"]], [value], marker="x", markersize=10, color=line[0].get_color())
                    axis.annotate("stopped", (point["triples"], value), textcoords="offset points", xytext=(-50, 5))
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.legend(fontsize=8)
    axes[0].set_title("seconds (x: stopped at the cap)")
    axes[1].set_title("peak RSS while serving, MB")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def render_docs(results_dir: Path, docs_dir: Path) -> Path:
    """Write docs/benchmarks.md and its plots from the newest full (else quick), soak, burst and safety results."""
    full = latest(results_dir, "full") or latest(results_dir, "quick")
    soak = latest(results_dir, "soak")
    images = _plots(full, docs_dir / "benchmarks") if full else {}
    path = docs_dir / "benchmarks.md"
    burst, safety = latest(results_dir, "burst"), latest(results_dir, "safety")
    path.write_text(render(full, soak, images, burst, safety), encoding="utf-8")
    return path


def summary(results: dict[str, Any]) -> str:
    """The targets as plain text, for the terminal."""
    return "\n".join(f"{verdict:>14}  {target}: {measured}" for target, measured, verdict in targets(results))


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    print(render_docs(Path(__file__).parent / "results", root / "docs"))  # noqa: T201
