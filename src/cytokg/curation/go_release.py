"""Fill the reviewed GO terms' aspect, parents and definition from a GO release (the ``GO.sqlite`` of GO.db).

The GO terms CytoKG uses that ``../shared/refdata/go_partial`` lacks are listed, with a curator's reason, in
``ontology/imports/go_reviewed.tsv``. Their place in the tree comes from GO itself: the parents written are the
nearest ``is_a`` ancestors that CytoKG imports (from go_partial or the reviewed table), so the tree skips the
intermediate terms nobody uses, as an ODK import with minimal intermediates does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from pathlib import Path

from cytokg.compile.tables import read_table
from cytokg.writing import write_atomic

__all__ = ["GO_REVIEWED_COLUMNS", "review_go_terms"]

GO_REVIEWED_COLUMNS = ("id", "label", "reason", "aspect", "parents", "definition")
_ASPECTS = {"BP": "biological_process", "MF": "molecular_function", "CC": "cellular_component"}
#: The is_a parents of a term, per aspect (GO.db keeps one parents table per aspect).
_PARENTS = {
    aspect: "SELECT p.go_id FROM go_" + aspect.lower() + "_parents r JOIN go_term c ON r._id = c._id "  # noqa: S608
    "JOIN go_term p ON r._parent_id = p._id WHERE c.go_id = ? AND r.relationship_type = 'isa'"
    for aspect in _ASPECTS
}


def _nearest_imported(db: sqlite3.Connection, curie: str, aspect: str, imported: Collection[str]) -> list[str]:
    """The nearest ``is_a`` ancestors of ``curie`` that are in ``imported``."""
    found: set[str] = set()
    seen = {curie}
    todo = [curie]
    while todo:
        child = todo.pop()
        for (parent,) in db.execute(_PARENTS[aspect], (child,)).fetchall():
            if parent in seen:
                continue
            seen.add(parent)
            if parent in imported:
                found.add(parent)
            else:
                todo.append(parent)
    return sorted(found)


def review_go_terms(reviewed_path: Path, go_db: Path, partial: Collection[str]) -> int:
    """Rewrite ``go_reviewed.tsv`` with each term's aspect, imported parents and definition from ``go_db``."""
    rows = list(read_table(reviewed_path, GO_REVIEWED_COLUMNS))
    imported = set(partial) | {row["id"] for row in rows}
    db = sqlite3.connect(f"file:{go_db}?mode=ro", uri=True)
    version = dict(db.execute("SELECT name, value FROM metadata").fetchall()).get("GOSOURCEDATE", "?")
    header = [line for line in reviewed_path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    lines = ["\t".join(GO_REVIEWED_COLUMNS)]
    for row in rows:
        found = db.execute("SELECT term, ontology, definition FROM go_term WHERE go_id = ?", (row["id"],)).fetchone()
        if found is None:
            raise row.error(f"{row['id']} is not a current term of GO {version}", "check the identifier")
        label, aspect, definition = found
        if label != row["label"] and f"'{label}'" not in row["reason"]:  # a newer GO label, with the old one quoted
            raise row.error(f"label '{row['label']}' is not GO's '{label}' ({version})", "use GO's label")
        parents = _nearest_imported(db, row["id"], aspect, imported)
        text = " ".join((definition or "").split())
        fields = (row["id"], row["label"], row["reason"], _ASPECTS[aspect], "|".join(parents), text)
        lines.append("\t".join(fields))
    db.close()
    write_atomic(reviewed_path, ("\n".join(header + lines) + "\n").encode())
    return len(rows)
