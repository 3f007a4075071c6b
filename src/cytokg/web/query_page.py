"""The query page (``/query``): a SPARQL editor with the curated examples; ``?query=`` opens and runs a shared query,
``?example=`` opens a curated example by its file name (as the vocabulary page links them), unrun.

The page itself runs nothing on the server: its script sends the query to ``/sparql`` like any client, so a
shared query goes through the same vetted, time-limited path as every other.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, request

from cytokg.queries import read_header
from cytokg.web.context import site

__all__ = ["query_page"]

query_page = Blueprint("query_page", __name__)

#: The query the editor opens with when the link names none.
_FIRST_QUERY = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
SELECT ?cytokine ?symbol WHERE {
  ?cytokine a cyto:Interleukin ; cyto:hgncSymbol ?symbol .
}
ORDER BY ?symbol"""


@lru_cache(maxsize=4)
def _examples(queries_dir: Path) -> list[dict[str, str]]:
    """Each example query's file name, title, description and text, in file order."""
    examples = []
    for path in sorted((queries_dir / "examples").glob("*.rq")):
        header = read_header(path)
        examples.append(
            {
                "name": path.stem,
                "title": header.get("title", path.stem),
                "description": header.get("description", ""),
                "query": path.read_text(encoding="utf-8"),
            }
        )
    return examples


@query_page.route("/query")
def page() -> tuple[str, int]:
    """The editor with the examples; a shared ``?query=`` (up to the query size limit) is shown and run; an
    ``?example=`` name opens that example, unrun (an unknown name: the default query, a notice and status 404)."""
    examples = _examples(site().queries_dir)
    shared = request.args.get("query", "")
    run = bool(shared) and len(shared.encode()) <= current_app.config["MAX_QUERY_BYTES"]
    names = [example["name"] for example in examples]
    wanted = request.args.get("example") if not run else None
    chosen = names.index(wanted) if wanted is not None and wanted in names else None
    missing = wanted is not None and chosen is None
    html = render_template(
        "query.html",
        query=shared if run else examples[chosen]["query"] if chosen is not None else _FIRST_QUERY,
        run=run,
        chosen=chosen,
        examples=examples,
        examples_json=json.dumps(examples).replace("</", "<\\/"),
        missing=missing,
    )
    return html, 404 if missing else 200
