"""``cytokg stats``: the graph's contents as counts, one query per file in ``queries/stats/``."""

from __future__ import annotations

import json
from pathlib import Path

from .markdown import replace_block
from .query import run_query_text
from .store import Queryable

__all__ = ["compute_stats", "format_stats", "update_readme"]


def compute_stats(store: Queryable, stats_dir: Path) -> dict[str, int]:
    """Run each ``*.rq`` (one row, one ``?count``) and return name → count."""
    counts: dict[str, int] = {}
    for path in sorted(stats_dir.glob("*.rq")):
        table = run_query_text(store, path.read_text(encoding="utf-8"), path)
        counts[path.stem] = int(table.rows[0][0]) if table.rows else 0
    return counts


def format_stats(counts: dict[str, int], fmt: str) -> str:
    """Render counts as a table, TSV or JSON."""
    if fmt == "json":
        return json.dumps(counts, indent=1, sort_keys=True) + "\n"
    if fmt == "tsv":
        return "".join(f"{name}\t{count}\n" for name, count in counts.items())
    width = max((len(name) for name in counts), default=0)
    return "".join(f"{name.ljust(width)}  {count:>7}\n" for name, count in counts.items())


def update_readme(readme: Path, table: str) -> None:
    """Write the stats table into the README's stats block."""
    replace_block(readme, "stats", f"```\n{table}```\n")
