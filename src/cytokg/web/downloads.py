"""The release files for download, with sizes and SHA-256 digests (computed once per file version)."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_file

from cytokg.publish import RELEASES, release_dates
from cytokg.release import CHANGES_JSON, CHANGES_REPORT, DOWNLOAD_FILES
from cytokg.sparql.formats import SUFFIX_TYPES
from cytokg.web.context import site

__all__ = ["Download", "downloads", "listing"]

#: Media types of the release files that are not RDF, and of the change reports.
_OTHER_TYPES = {".obo": "text/plain", ".md": "text/markdown", ".json": "application/json"}
#: What a version IRI may name as its date: https://w3id.org/cytokg/releases/YYYY-MM-DD/<file>.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

downloads = Blueprint("downloads", __name__)

#: (path, inode, size, mtime) → SHA-256: a file is hashed once per version, whichever app serves it.
_DIGESTS: dict[tuple[str, int, int, int], str] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Download:
    """A release file as the downloads page lists it."""

    name: str
    size: int
    sha256: str
    media: str


def listing(build_dir: Path) -> list[Download]:
    """Every release file present in ``build_dir``, with its size, media type and digest."""
    files = []
    for name in DOWNLOAD_FILES:
        path = build_dir / name
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
        with _LOCK:
            digest = _DIGESTS.get(key)
        if digest is None:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            with _LOCK:
                for old in [k for k in _DIGESTS if k[0] == key[0]]:
                    del _DIGESTS[old]
                _DIGESTS[key] = digest
        files.append(Download(name, info.st_size, digest, _media(path)))
    return files


def _media(path: Path) -> str:
    return SUFFIX_TYPES.get(path.suffix) or _OTHER_TYPES[path.suffix]


@downloads.route("/downloads")
def page() -> str:
    """The downloads page: every release file with its size, media type and digest."""
    files = [file.__dict__ for file in listing(site().build_dir)]
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
