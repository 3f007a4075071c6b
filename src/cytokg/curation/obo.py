"""A small reader for OBO flat files: id, name, definition, exact synonyms, is_a parents, obsolete flag, whether it
is a relation ([Typedef]), data-version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["OboTerm", "read_obo"]


@dataclass(frozen=True)
class OboTerm:
    """One [Term] or [Typedef] stanza."""

    curie: str
    name: str
    parents: tuple[str, ...]
    obsolete: bool
    definition: str = ""
    synonyms: tuple[str, ...] = ()
    relation: bool = False


_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


def _quoted(value: str) -> str:
    """The text of a quoted OBO value (``def:`` or ``synonym:``), unescaped."""
    match = _QUOTED.match(value)
    return re.sub(r"\\(.)", r"\1", match.group(1)) if match else ""


def read_obo(path: Path) -> tuple[str, dict[str, OboTerm]]:
    """Return the file's ``data-version`` and its stanzas by identifier."""
    version = ""
    terms: dict[str, OboTerm] = {}
    stanza: dict[str, list[str]] | None = None

    def flush() -> None:
        if stanza and stanza.get("id") and stanza.get("name"):
            curie = stanza["id"][0]
            parents = tuple(value.split(" ! ")[0].split()[0] for value in stanza.get("is_a", []))
            definitions = stanza.get("def", [])
            exact = [v for v in stanza.get("synonym", []) if v.rpartition('"')[2].split()[:1] == ["EXACT"]]
            synonyms = tuple(_quoted(v) for v in exact)
            terms[curie] = OboTerm(
                curie,
                stanza["name"][0],
                parents,
                "true" in stanza.get("is_obsolete", []),
                _quoted(definitions[0]) if definitions else "",
                synonyms,
                "[Typedef]" in stanza.get("", []),
            )

    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if line.startswith("["):
                flush()
                stanza = {"": [line.strip()]}
                continue
            key, sep, value = line.partition(": ")
            if not sep:
                continue
            if stanza is None:
                if key == "data-version":
                    version = value
                continue
            stanza.setdefault(key, []).append(value)
    flush()
    return version, terms
