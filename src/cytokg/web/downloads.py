"""The release files for download, with the sizes and SHA-256 digests the build stored in the release."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_file

from cytokg.publish import RELEASES, release_dates
from cytokg.release import CHANGES_JSON, CHANGES_REPORT, DOWNLOAD_FILES
from cytokg.sparql.formats import SUFFIX_TYPES
from cytokg.statistics import Download as Stored
from cytokg.web.context import site

__all__ = ["Download", "downloads", "listing"]

#: Media types of the release files that are not RDF, and of the change reports.
_OTHER_TYPES = {".obo": "text/plain", ".md": "text/markdown", ".json": "application/json"}
#: What a version IRI may name as its date: https://w3id.org/cytokg/releases/YYYY-MM-DD/<file>.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

downloads = Blueprint("downloads", __name__)


@dataclass(frozen=True)
class Download:
    """A release file as the downloads page lists it."""

    name: str
    size: int
    sha256: str
    media: str


def listing(build_dir: Path, stored: Mapping[str, Stored]) -> list[Download]:
    """Every release file in ``build_dir``, with its media type and the size and digest ``stored`` gives."""
    return [
        Download(name, stored[name].size, stored[name].sha256, _media(build_dir / name))
        for name in DOWNLOAD_FILES
        if name in stored
    ]


def _media(path: Path) -> str:
    return SUFFIX_TYPES.get(path.suffix) or _OTHER_TYPES[path.suffix]


@downloads.route("/downloads")
def page() -> str:
    """The downloads page: every release file with its size, media type and digest."""
    files = [file.__dict__ for file in listing(site().build_dir, site().statistics.downloads)]
    changes = (site().build_dir / "reports" / CHANGES_REPORT).is_file()
    return render_template("downloads.html", files=files, version=site().version, changes=changes)


@downloads.route("/downloads/<name>")
def file(name: str) -> Response:
    """One release file (gzip-encoded when the client accepts it and a ``.gz`` copy exists), or a change report."""
    if name in (CHANGES_REPORT, CHANGES_JSON):
        return _send(site().build_dir / "reports", name)
    if name not in DOWNLOAD_FILES:
        abort(404)
    return _send(site().build_dir, name)


@downloads.route("/releases/<date>/<name>")
def versioned(date: str, name: str) -> Response:
    """A release file by its version IRI's path, from the kept release of that date (current or previous)."""
    if not _DATE.fullmatch(date) or name not in DOWNLOAD_FILES:
        abort(404)
    folders = release_dates(site().build_dir.parent) if site().build_dir.parent.name == RELEASES else {}
    if date not in folders:
        abort(404)
    return _send(folders[date], name)


def _send(folder: Path, name: str) -> Response:
    path = folder / name
    if not path.is_file():
        abort(404)
    media = _media(path)
    packed = path.with_name(f"{name}.gz")
    if "gzip" in request.headers.get("Accept-Encoding", "") and packed.exists():
        response = send_file(packed, mimetype=media, conditional=True, etag=True)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(path, mimetype=media, conditional=True, etag=True)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
