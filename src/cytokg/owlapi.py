"""Run a small Java program (``java/*.java``) against Debian's OWL API: the OWL 2 DL gate, the OBO export."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from cytokg.children import die_with_parent

__all__ = ["OWLAPI_JAR", "owlapi_available", "run_owlapi_tool"]

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


def run_owlapi_tool(program: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Compile ``java/<program>.java`` against Debian's OWL API and run it with ``args``."""
    classpath = _classpath()
    source = resources.files("cytokg") / "java" / f"{program}.java"
    with tempfile.TemporaryDirectory(prefix="cytokg-owlapi-") as work:
        java_file = Path(work) / f"{program}.java"
        java_file.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run(
            ["javac", "-nowarn", "-cp", classpath, "-d", work, str(java_file)],
            check=True,
            capture_output=True,
            text=True,
            preexec_fn=die_with_parent(),
        )
        return subprocess.run(
            ["java", "-cp", f"{classpath}:{work}", program, *args],
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=die_with_parent(),
        )
