"""Run a small Java program (``java/*.java``), compiled once against its class path: Debian's OWL API (the OWL 2 DL
gate, the OBO export) or the HermiT jar (the reasoning gate)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from cytokg.children import die_with_parent

__all__ = ["OWLAPI_JAR", "owlapi_available", "run_java_tool", "run_owlapi_tool"]

#: Debian's OWL API jar (package libowlapi-java).
OWLAPI_JAR = Path("/usr/share/java/owlapi-distribution.jar")
_SKIP_JARS = (
    "slf4j-jcl",
    "slf4j-jdk14",
    "slf4j-log4j12",
    "slf4j-simple",
    "slf4j-migrator",
    "log4j-over-slf4j",
    "jcl-over-slf4j",
    "jul-to-slf4j",
    "maven3-slf4j-provider",
    "log4j-1",
    "log4j12",
)


def owlapi_available() -> bool:
    """Whether the OWL API jar and a JDK (javac, java) are installed."""
    return OWLAPI_JAR.exists() and shutil.which("javac") is not None and shutil.which("java") is not None


def _classpath() -> str:
    jars = []
    for jar in sorted(Path("/usr/share/java").glob("*.jar")):
        stem = jar.stem
        versioned = any(ch.isdigit() for ch in stem.rsplit("-", 1)[-1]) and "-" in stem
        if versioned or stem.startswith(_SKIP_JARS):
            continue
        jars.append(str(jar))
    return ":".join(jars)


def _cache_root() -> Path:
    """Where compiled programs are kept: ``$XDG_CACHE_HOME/cytokg/java`` (``~/.cache`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cytokg" / "java"


def _compile(program: str, classpath: str, work: Path) -> None:
    source = (resources.files("cytokg") / "java" / f"{program}.java").read_text(encoding="utf-8")
    java_file = work / f"{program}.java"
    java_file.write_text(source, encoding="utf-8")
    subprocess.run(
        ["javac", "-nowarn", "-cp", classpath, "-d", str(work), str(java_file)],
        check=True,
        capture_output=True,
        text=True,
        preexec_fn=die_with_parent(),
    )


def _compiled(program: str, classpath: str) -> Path:
    """The folder of ``program``'s classes, compiled once per source and class path (javac costs seconds)."""
    source = (resources.files("cytokg") / "java" / f"{program}.java").read_bytes()
    key = hashlib.sha256(source + b"\0" + classpath.encode()).hexdigest()[:20]
    folder = _cache_root() / f"{program}-{key}"
    if (folder / f"{program}.class").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{program}-", dir=folder.parent))
    try:
        _compile(program, classpath, work)
        os.rename(work, folder)  # atomic; another build that compiled it first wins
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
        if not (folder / f"{program}.class").is_file():
            raise
    return folder


def run_owlapi_tool(program: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``java/<program>.java`` (compiled against Debian's OWL API, once) with ``args``."""
    return run_java_tool(program, _classpath(), args)


def run_java_tool(program: str, classpath: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``java/<program>.java`` (compiled against ``classpath``, once) with ``args``.

    The JVM compiles with its quick JIT tier only (``TieredStopAtLevel=1``): these programs run for seconds, and
    on two shared cores the optimising compiler's own work costs more than it saves (HermiT: 2.9 → 1.7 s).
    """
    try:
        classes = _compiled(program, classpath)
    except OSError:  # no writable cache folder: compile into a scratch folder for this run
        with tempfile.TemporaryDirectory(prefix="cytokg-java-") as work:
            _compile(program, classpath, Path(work))
            return _run(program, f"{classpath}:{work}", args)
    return _run(program, f"{classpath}:{classes}", args)


def _run(program: str, classpath: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath, program, *args],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=die_with_parent(),
    )
