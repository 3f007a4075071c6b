"""Gate reports found by a content hash of everything the gate reads, so no gate runs twice on one input.

A key covers the gate's input files (bytes), its rules (shapes, QC queries) and the code that judges them (the
gate modules, the Java programs, the versions of pySHACL, rdflib, owlready2, pyoxigraph and the OWL API jar), so
a reused report is the one the gate would write again. Every report folder (a release's ``reports/``,
``build/failed-reports``, ``build/check-reports``) holds ``gates.json``: each gate's key, status and lines.
A build runs every gate itself (a release is always checked by the build that made it); ``cytokg check`` reuses
what the release's build and its own earlier runs found. Nothing is written outside the run's own report folder.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from cytokg.gates.report import GateReport
from cytokg.writing import write_atomic

__all__ = ["CHECK_REPORTS", "MANIFEST", "GateCache", "folder_digest", "gate_key", "write_manifest"]

#: Each report folder's record of its gates' keys.
MANIFEST = "gates.json"
#: Where ``cytokg check`` writes its reports by default, in the build folder (never into a release).
CHECK_REPORTS = "check-reports"
_LIBRARIES = ("pyshacl", "rdflib", "owlready2", "pyoxigraph", "pyparsing")
_OWLAPI_JAR = Path("/usr/share/java/owlapi-distribution.jar")


@cache
def _tools() -> bytes:
    """What decides a gate's verdict besides its input: the gate code and the libraries' versions."""
    digest = hashlib.sha256()
    package = resources.files("cytokg")
    for folder, suffix in (("gates", ".py"), ("java", ".java")):
        for entry in sorted(package.joinpath(folder).iterdir(), key=lambda entry: entry.name):
            if entry.name.endswith(suffix):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none\0".encode())
    jar = _OWLAPI_JAR.resolve()
    digest.update(f"{jar}:{jar.stat().st_size if jar.exists() else 0}".encode())
    return digest.digest()


def folder_digest(folder: Path, pattern: str) -> bytes:
    """The names and contents of the files of ``folder`` that match ``pattern`` (a gate's rules)."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob(pattern)):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def gate_key(name: str, *inputs: bytes) -> str:
    """The key of gate ``name`` on ``inputs`` (each hashed apart, so no two splits of the bytes collide)."""
    digest = hashlib.sha256(name.encode() + b"\0" + _tools())
    for part in inputs:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


class GateCache:
    """The reports that the ``gates.json`` of ``folders`` keep, by gate and key (missing folders are skipped)."""

    def __init__(self, folders: list[Path]) -> None:
        self._kept: dict[tuple[str, str], GateReport] = {}
        for folder in folders:
            try:
                manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for name, entry in manifest.items() if isinstance(manifest, dict) else ():
                if isinstance(entry, dict) and isinstance(entry.get("lines"), list) and entry.get("key"):
                    lines = [str(line) for line in entry["lines"]]
                    self._kept[name, str(entry["key"])] = GateReport(name, str(entry["status"]), lines, reused=True)

    def get(self, name: str, key: str) -> GateReport | None:
        """The report gate ``name`` wrote for ``key``, marked as reused, if one is kept."""
        return self._kept.get((name, key))


def write_manifest(reports: list[GateReport], keys: dict[str, str], folder: Path) -> None:
    """Write ``folder/gates.json``: the key, status and lines of each report that has a key."""
    manifest = {
        report.name: {"key": keys[report.name], "status": report.status, "lines": report.lines}
        for report in reports
        if keys.get(report.name) and report.status != "missing-tool"
    }
    write_atomic(folder / MANIFEST, json.dumps(manifest, indent=0, sort_keys=True).encode("utf-8"))
