"""Measuring processes: memory of a process tree, peak memory of a command, time to the first answer."""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

__all__ = [
    "Measured",
    "Sampler",
    "dir_size",
    "first_answer",
    "run_measured",
    "tree_breakdown",
    "tree_cpu",
    "tree_rss",
]

MB = 1024 * 1024


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants (a child that has exited
    takes its time with it, so a difference over a run is a floor)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 if it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes: each shared page divided among the processes that map it."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _role(process: psutil.Process, root: int) -> str:
    """What a process of a ``cytokg serve`` tree does (its multiprocessing helpers are named by their command)."""
    if process.pid == root:
        return "supervisor"
    command = " ".join(process.cmdline())
    if "cytokg.web.front" in command:
        return "web server"
    if "resource_tracker" in command:
        return "resource tracker"
    if "forkserver" in command:
        parent = process.parent()
        under_web = parent is not None and "cytokg.web.front" in " ".join(parent.cmdline())
        return "fork server" if under_web else "query process"
    return "other"


def tree_breakdown(pid: int) -> list[dict[str, Any]]:
    """Every process of the tree: its role, RSS and PSS (bytes). RSS counts a shared page (the code and modules a
    process inherits from its fork server, shared libraries) in every process that maps it; PSS divides it."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
    rows = []
    for process in processes:
        try:
            rss, role = process.memory_info().rss, _role(process, pid)
        except psutil.Error:
            continue
        rows.append({"process": role, "rss": rss, "pss": _pss(process.pid)})
    return rows


class Sampler(threading.Thread):
    """Samples a process tree's RSS every ``interval`` seconds until stopped; keeps the peak and the series.

    With ``pss``, also the tree's summed PSS (its peak) and each process's memory at the RSS peak.
    """

    def __init__(self, pid: int, interval: float = 0.2, *, pss: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.pss = pss
        self.peak = 0
        self.peak_pss = 0
        self.at_peak: list[dict[str, Any]] = []
        self.series: list[tuple[float, int]] = []
        self._stop_event = threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        """Sample until :meth:`stop`."""
        while not self._stop_event.is_set():
            if self.pss:
                rows = tree_breakdown(self.pid)
                rss = sum(row["rss"] for row in rows)
                self.peak_pss = max(self.peak_pss, sum(row["pss"] for row in rows))
                if rss > self.peak:
                    self.at_peak = rows
            else:
                rss = tree_rss(self.pid)
            self.peak = max(self.peak, rss)
            self.series.append((time.monotonic() - self.started, rss))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; return the peak in bytes."""
        self._stop_event.set()
        self.join(5)
        return self.peak


@dataclass
class Measured:
    """A command's wall time, peak tree RSS, exit code, and its stderr lines with their arrival times."""

    seconds: float
    peak_rss: int
    returncode: int | None
    finished: bool
    reason: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)  # stderr lines with their arrival (s)
    series: list[tuple[float, int]] = field(default_factory=list)  # (s, tree RSS bytes) every 0.1 s

    def phases(self, marker: str = "\u2026 ") -> list[dict[str, float | str]]:
        """The phases announced by stderr lines starting with ``marker``: name, seconds and peak RSS (MB)."""
        starts = [(0.0, "start-up")] + [(t, line[len(marker) :]) for t, line in self.lines if line.startswith(marker)]
        ends = [t for t, _ in starts[1:]] + [self.seconds]
        phases: list[dict[str, float | str]] = []
        for (begin, name), end in zip(starts, ends, strict=True):
            inside = [rss for t, rss in self.series if begin <= t <= end] or [0]
            phases.append({"phase": name, "seconds": round(end - begin, 2), "peak_rss_mb": round(max(inside) / MB)})
        return phases


def run_measured(
    command: Sequence[str], *, timeout: float, memory_cap: int | None = None, cwd: Path | None = None
) -> Measured:
    """Run ``command``, stopping it past ``timeout`` seconds or ``memory_cap`` bytes of tree RSS.

    Stderr lines are kept with their times and the RSS series with its, so phases announced on stderr
    (``cytokg check``'s progress lines) can be timed and sized one by one (:meth:`Measured.phases`).
    """
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(process.pid, 0.1)
    sampler.start()
    lines: list[tuple[float, str]] = []

    def _read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=_read, daemon=True)
    reader.start()
    reason = ""
    while process.poll() is None:
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            reason = f"did not finish within {timeout:g} s"
        elif memory_cap is not None and sampler.peak > memory_cap:
            reason = f"stopped at {memory_cap / MB:,.0f} MB of memory after {elapsed:.0f} s"
        if reason:
            _kill_tree(process.pid)
            break
        time.sleep(0.1)
    process.wait()
    reader.join(5)
    seconds = time.monotonic() - started
    peak = sampler.stop()
    offset = sampler.started - started
    series = [(t + offset, rss) for t, rss in sampler.series]
    return Measured(seconds, peak, process.returncode, not reason, reason, lines, series)


def _kill_tree(pid: int) -> None:
    try:
        root = psutil.Process(pid)
        processes = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            continue


def first_answer(url: str, deadline: float, alive: Callable[[], bool], query: str = "ASK { ?s ?p ?o }") -> float | None:
    """Poll ``url`` with ``query`` until it answers 200; the monotonic time of that answer, or None.

    Gives up at ``deadline`` (monotonic) or as soon as ``alive()`` is false.
    """
    target = url + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(target, headers={"Accept": "application/sparql-results+json"})
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(request, timeout=max(0.1, deadline - time.monotonic())) as response:
                if response.status == 200:
                    response.read()
                    return time.monotonic()
        except (urllib.error.URLError, OSError, TimeoutError):
            pass
        time.sleep(0.05)
    return None


def dir_size(path: Path) -> int:
    """Bytes of every file under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
