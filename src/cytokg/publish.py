"""Release folders under ``build/``: one folder per build, made current by one atomic symlink switch.

Layout (see docs/deploy.md)::

    build/releases/<UTC time>/   one complete release each; ``release.json`` is written last and lists its entries
    build/current                symlink to releases/<id>, switched by rename(2) of ``current.tmp``
    build/cytokg.owl, build/oxigraph, …   stable symlinks to current/<name>, made once
    build/.lock                  held by a build; start-up recovery runs only when it can take it

Every reader either sees the previous release or the new one, never a mix, whenever the build is killed.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cytokg.errors import InputError
from cytokg.release import INFERRED_TYPES, SEARCH_FILE
from cytokg.writing import fsync_directory, write_atomic

__all__ = [
    "BUILD_WAIT",
    "CURRENT",
    "FLAT_LAYOUT",
    "KEEP",
    "MARKER",
    "RELEASES",
    "build_lock",
    "current_release",
    "discard",
    "new_release",
    "publish",
    "recover",
    "release_dates",
]

RELEASES = "releases"
CURRENT = "current"
#: Written last into a release folder: a folder without it (or missing an entry it lists) is incomplete.
MARKER = "release.json"
#: Complete releases kept: the current one and the one before it (for a quick roll-back).
KEEP = 2
#: Seconds a build waits for the lock: enough for a starting reader's recovery, not for another build.
BUILD_WAIT = 10.0
_LOCK = ".lock"
#: The files a build of the old flat layout (before release folders) offered for download.
_FLAT_FILES = (
    "cytokg.ttl",
    "cytokg.owl",
    "cytokg-ontology.owl",
    "cytokg.nt",
    "cytokg.jsonld",
    "cytokg.sssom.tsv",
    "cytokg-void.ttl",
)
#: What a build of the old flat layout left in ``build/`` (a folder with these is migrated to a release).
FLAT_LAYOUT = (*_FLAT_FILES, *(f"{name}.gz" for name in _FLAT_FILES), "oxigraph", SEARCH_FILE, INFERRED_TYPES)


@contextmanager
def build_lock(build_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold ``build/.lock``, trying for up to ``wait`` seconds; if another holds it, one line (InputError)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    handle = os.open(build_dir / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        build_dir / _LOCK, None, "another cytokg build is running on this folder", "wait for it"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)


def new_release(build_dir: Path) -> Path:
    """Create an empty, not yet complete release folder named for the current UTC time."""
    releases = build_dir / RELEASES
    releases.mkdir(exist_ok=True)
    folder = releases / datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    folder.mkdir()
    fsync_directory(releases)
    return folder


def _entries(folder: Path) -> list[str] | None:
    """The entries a complete release folder lists in its marker; None if it is incomplete."""
    try:
        names: list[str] = json.loads((folder / MARKER).read_text(encoding="utf-8"))["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return names if all((folder / name).exists() for name in names) else None


def _sync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder`` (the store's files included), deepest first."""
    for parent, _folders, files in os.walk(folder, topdown=False):
        for name in files:
            handle = os.open(Path(parent) / name, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        fsync_directory(Path(parent))


def _seal(folder: Path, date: str | None) -> list[str]:
    """Make ``folder`` durable, then mark it complete (with its release date, if given); returns its entries."""
    names = sorted(path.name for path in folder.iterdir() if path.name != MARKER)
    _sync_tree(folder)
    marker: dict[str, object] = {"release": folder.name, "entries": names}
    if date is not None:
        marker["date"] = date
    write_atomic(folder / MARKER, json.dumps(marker, indent=1).encode())
    return names


def _symlink(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` atomically: a new name at once, an existing one by renaming ``<link>.tmp``."""
    if not link.exists() and not link.is_symlink():
        os.symlink(target, link)
        fsync_directory(link.parent)
        return
    temporary = link.with_name(f"{link.name}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    fsync_directory(link.parent)
    os.replace(temporary, link)
    fsync_directory(link.parent)


def _link_entries(build_dir: Path, names: list[str]) -> None:
    """Give every entry of the current release its stable path ``build/<name> -> current/<name>``."""
    for name in names:
        link, target = build_dir / name, f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.is_dir() and not link.is_symlink():  # a folder of the old flat layout: set aside, then removed
            aside = build_dir / f".{name}.flat"
            os.rename(link, aside)
            fsync_directory(build_dir)
            _symlink(target, link)
            shutil.rmtree(aside)
        else:
            _symlink(target, link)
    for path in build_dir.iterdir():  # links to entries a newer release no longer has
        if path.is_symlink() and os.readlink(path).startswith(f"{CURRENT}/") and path.name not in names:
            path.unlink()


def _remove(folder: Path) -> None:
    """Remove a release folder: first renamed to a hidden name, so a half-removed folder is never taken as one."""
    hidden = folder
    if not (folder.name.startswith(".") and folder.name.endswith(".removing")):
        hidden = folder.with_name(f".{folder.name}.removing")
        os.rename(folder, hidden)
        fsync_directory(folder.parent)
    shutil.rmtree(hidden)


def _current_name(build_dir: Path) -> str | None:
    """The current release's folder name, if ``build/current`` points at a complete release."""
    current = build_dir / CURRENT
    if not current.is_symlink() or _entries(current) is None:
        return None
    return Path(os.readlink(current)).name


def _prune(build_dir: Path, keep: int) -> None:
    """Keep the current release and the newest complete others up to ``keep``; remove the rest."""
    releases = build_dir / RELEASES
    current = _current_name(build_dir)
    complete = sorted(p.name for p in releases.iterdir() if not p.name.startswith(".") and _entries(p) is not None)
    kept = {current, *[name for name in complete if name != current][::-1][: keep - 1]}
    for folder in sorted(releases.iterdir()):
        if folder.name not in kept:
            _remove(folder)


def publish(build_dir: Path, release: Path, keep: int = KEEP, date: str | None = None) -> None:
    """Seal ``release`` (dated ``date``), switch ``build/current`` to it in one rename, link its entries, prune.

    Call with :func:`build_lock` held.
    """
    names = _seal(release, date)
    _symlink(f"{RELEASES}/{release.name}", build_dir / CURRENT)
    _link_entries(build_dir, names)
    _prune(build_dir, keep)


def release_dates(releases: Path) -> dict[str, Path]:
    """The complete release folders in ``releases`` by the release date their marker gives (the newest per date)."""
    dated: dict[str, Path] = {}
    for folder in sorted(releases.iterdir()) if releases.is_dir() else ():
        if folder.name.startswith(".") or _entries(folder) is None:
            continue
        try:
            date = json.loads((folder / MARKER).read_text(encoding="utf-8")).get("date")
        except (OSError, ValueError):
            continue
        if isinstance(date, str):
            dated[date] = folder
    return dated


def discard(build_dir: Path, release: Path) -> None:
    """Remove a release folder that failed, unless it became current."""
    if release.exists() and _current_name(build_dir) != release.name:
        _remove(release)


def _finish_flat_promotion(build_dir: Path) -> None:
    """The old layout's last two renames were ``oxigraph -> oxigraph.old`` and ``.staging/oxigraph -> oxigraph``."""
    staged, store = build_dir / ".staging" / "oxigraph", build_dir / "oxigraph"
    if not store.exists() and not store.is_symlink() and (build_dir / "oxigraph.old").is_dir() and staged.is_dir():
        os.rename(staged, store)
        fsync_directory(build_dir)
    for leftover in (build_dir / ".staging", build_dir / "oxigraph.old"):
        if leftover.exists():
            shutil.rmtree(leftover)


def _migrate_flat(build_dir: Path) -> None:
    """Turn a complete build of the old flat layout into a release (hard links: no data is copied)."""
    if not all((build_dir / name).exists() and not (build_dir / name).is_symlink() for name in FLAT_LAYOUT):
        return
    release = new_release(build_dir)
    for name in (*FLAT_LAYOUT, "reports"):
        source = build_dir / name
        if source.is_dir():
            shutil.copytree(source, release / name, copy_function=os.link)
        elif source.exists():
            os.link(source, release / name)
    publish(build_dir, release)


def recover(build_dir: Path) -> None:
    """Bring ``build_dir`` to a consistent state after any interrupted build; call with :func:`build_lock` held.

    Removes switch leftovers and incomplete release folders, finishes or clears the old flat layout's
    promotion and migrates a complete flat build, and (re)makes the stable links of the current release.
    """
    for path in build_dir.iterdir():
        if path.is_symlink() and path.name.endswith(".tmp") and os.readlink(path).startswith((CURRENT, RELEASES)):
            path.unlink()
        elif path.is_dir() and not path.is_symlink() and path.name.startswith(".") and path.name.endswith(".flat"):
            shutil.rmtree(path)
    _finish_flat_promotion(build_dir)
    releases = build_dir / RELEASES
    if releases.is_dir():
        current = _current_name(build_dir)
        for folder in sorted(releases.iterdir()):
            if folder.name != current and _entries(folder) is None:
                _remove(folder)
    if _current_name(build_dir) is None:
        _migrate_flat(build_dir)
    current_names = _entries(build_dir / CURRENT) if _current_name(build_dir) else None
    if current_names is not None:
        _link_entries(build_dir, current_names)


def _ours(build_dir: Path) -> bool:
    """Whether ``build_dir`` holds releases or leftovers of a build (not, say, a bare store folder)."""
    markers = (RELEASES, CURRENT, f"{CURRENT}.tmp", ".staging", "oxigraph.old")
    return any((build_dir / name).exists() or (build_dir / name).is_symlink() for name in markers) or all(
        (build_dir / name).exists() for name in FLAT_LAYOUT
    )


def current_release(build_dir: Path) -> Path:
    """The folder of the current release, after recovering ``build_dir`` if no build holds it.

    Start-up of every reader (serve, query, check, …) calls this once and then reads only from that folder,
    so a build that switches releases meanwhile never mixes two. A folder without releases (a bare store
    folder, or a flat build that cannot be migrated, e.g. read-only) is returned as it is.
    """
    if _ours(build_dir):
        try:
            with build_lock(build_dir):
                recover(build_dir)
        except (InputError, OSError):  # a build holds the lock, or the folder is read-only
            pass
    current = build_dir / CURRENT
    return current.resolve() if _current_name(build_dir) is not None else build_dir
