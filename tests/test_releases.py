"""Atomic releases (issue 13, point 7): a build killed anywhere leaves build/ on one complete release, old or new."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest

from cytokg.errors import InputError
from cytokg.publish import (
    CURRENT,
    FLAT_LAYOUT,
    MARKER,
    RELEASES,
    build_lock,
    current_release,
    new_release,
    publish,
)
from cytokg.release import CHANGES_JSON, CHANGES_REPORT, DOWNLOAD_FILES
from cytokg.search import SEARCH_FILE
from cytokg.store import INFERRED_GRAPH, add_named_graph, create_store
from cytokg.web.app import create_app

from .conftest import RELEASE_DATE, ROOT, small_ontology, small_release
from .shared_build import HASH_SEED

#: What a build of the layout before release folders left in build/.
FLAT_ENTRIES = frozenset({*FLAT_LAYOUT, "reports"})
#: A triple only the new release's store holds: which store the app opened is visible in one ASK.
MARK = "https://w3id.org/cytokg/test/kill-point"
ASK_MARK = f"ASK {{ <{MARK}> <{MARK}> ?o }}"

#: Publishes a release whose contents are in argv[2] into the build folder argv[1], SIGKILLing itself just
#: before the argv[3]-th rename, replace or symlink (argv[3] past the last one: it runs to the end).
KILL_SCRIPT = """
import os, shutil, signal, sys
from pathlib import Path
from cytokg.publish import build_lock, new_release, publish, recover
build_dir, contents, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
calls = 0
def counted(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call
for name in ("replace", "rename", "symlink"):
    setattr(os, name, counted(getattr(os, name)))
with build_lock(build_dir):
    recover(build_dir)
    release = new_release(build_dir)
    shutil.copytree(contents, release, dirs_exist_ok=True, copy_function=os.link)
    publish(build_dir, release)
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path, skip: frozenset[str]) -> dict[str, str]:
    """Every file under ``folder``'s top-level entries (symlinks followed) → its SHA-256."""
    found: dict[str, str] = {}
    for top in sorted(folder.iterdir()):
        if top.name in skip:
            continue
        for path in [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()):
            found[str(path.relative_to(folder))] = _digest(path)
    return found


def visible(build_dir: Path) -> dict[str, str]:
    """What a user of build/<name> sees."""
    return _files(build_dir, frozenset({".lock", RELEASES, CURRENT}))


def release_files(folder: Path) -> dict[str, str]:
    """The files of a release folder, without its marker."""
    return _files(folder, frozenset({MARKER}))


def _link_copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, copy_function=os.link, ignore=shutil.ignore_patterns(MARKER), dirs_exist_ok=True)


#: The kill tests are about publication, not the graph: their releases hold every entry of the built one, with
#: the graph files cut to their first lines (the app starts on a store of those lines in a moment).
SAMPLE_LINES = 2000
#: Graph files larger than this are cut.
SAMPLE_BYTES = 1 << 20


def _small_release(release: Path, folder: Path) -> None:
    """``release``'s entries, its large graph files cut to SAMPLE_LINES lines, its store holding those lines."""
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns(MARKER, "oxigraph"))
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_size > SAMPLE_BYTES and path.name != SEARCH_FILE:
            with path.open("rb") as stream:
                head = b"".join(stream.readline() for _ in range(SAMPLE_LINES))
            path.write_bytes(head)
    create_store(folder / "cytokg-asserted.nt", folder / "oxigraph")
    add_named_graph(folder / "oxigraph", folder / "cytokg-inferred-types.nt", INFERRED_GRAPH)


@pytest.fixture(scope="module")
def contents(built: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small release with the built one's entries (old) and a different release made from it (new)."""
    folder = tmp_path_factory.mktemp("releases")
    old, new = folder / "old", folder / "new"
    _small_release(built / CURRENT, old)
    shutil.copytree(old, new, ignore=shutil.ignore_patterns("reports"))  # an entry the new release drops
    for name in ("cytokg.ttl", "cytokg.nt", "cytokg-void.ttl"):
        with (new / name).open("a", encoding="utf-8") as stream:
            stream.write("# changed for the kill test\n")
    (new / "NOTES.txt").write_text("an entry only the new release has\n", encoding="utf-8")
    store = pyoxigraph.Store(str(new / "oxigraph"))
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(MARK), pyoxigraph.NamedNode(MARK), pyoxigraph.Literal("new")))
    store.flush()
    del store
    return old, new


def _previous_release(build_dir: Path, old: Path) -> None:
    with build_lock(build_dir):
        release = new_release(build_dir)
        shutil.copytree(old, release, dirs_exist_ok=True, copy_function=os.link)
        publish(build_dir, release)


def _flat_build(build_dir: Path, old: Path) -> None:
    """The layout before release folders: its files right in build/, plus a finished build's leftovers."""
    _link_copy(old, build_dir)
    for path in build_dir.iterdir():  # files a flat build never wrote (the release set came later)
        if path.name not in FLAT_ENTRIES:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    (build_dir / ".staging").mkdir()


def _serves(build_dir: Path, new_store: bool) -> None:
    """create_app starts on ``build_dir`` and queries the store of the release its files come from."""
    app = create_app(build_dir, ROOT / "queries", {"FAST_LANE": 1})  # one query process is enough to tell
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        answer = client.get("/sparql", query_string={"query": ASK_MARK}, headers={"Accept": "text/csv"})
        assert answer.data.decode().split()[-1] == ("true" if new_store else "false")
    finally:
        app.extensions["cytokg"].close()


#: What build/ holds before the killed build → the fewest renames and symlinks its publication makes.
KILL_POINTS = {"previous-release": 4, "two-releases": 5, "flat-build": 40, "empty": 20}


@pytest.mark.parametrize("before", sorted(KILL_POINTS))
def test_kill_before_every_rename_leaves_one_complete_release(
    contents: tuple[Path, Path], tmp_path: Path, before: str
) -> None:
    old, new = contents
    old_files = {} if before == "empty" else release_files(old)
    if before == "flat-build":
        old_files = {name: digest for name, digest in old_files.items() if name.split("/")[0] in FLAT_ENTRIES}
    new_files = release_files(new)
    kill_at = 0
    while True:
        kill_at += 1
        build_dir = tmp_path / f"build-{kill_at}"
        build_dir.mkdir()
        if before == "previous-release":
            _previous_release(build_dir, old)
        elif before == "two-releases":  # the publication also removes the older one
            _previous_release(build_dir, old)
            _previous_release(build_dir, old)
        elif before == "flat-build":
            _flat_build(build_dir, old)
        done = subprocess.run(
            [sys.executable, "-c", KILL_SCRIPT, str(build_dir), str(new), str(kill_at)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode in (0, -signal.SIGKILL), done.stderr
        release = current_release(build_dir)  # start-up recovery
        seen = visible(build_dir)
        assert seen in (old_files, new_files), f"killed before step {kill_at}: a mix of {sorted(seen)}"
        assert not [p.name for p in build_dir.iterdir() if p.name.endswith((".tmp", ".flat")) or p.name == ".staging"]
        if seen:
            assert release_files(release) == seen
            assert all((folder / MARKER).exists() for folder in (build_dir / RELEASES).iterdir())
            _serves(build_dir, new_store=seen == new_files)
        shutil.rmtree(build_dir)
        if done.returncode == 0:
            break
    assert kill_at - 1 >= KILL_POINTS[before]


def test_old_layout_killed_between_its_last_two_renames(contents: tuple[Path, Path], tmp_path: Path) -> None:
    """The flat layout's promotion stopped after ``oxigraph -> oxigraph.old``: the staged store completes it."""
    old, new = contents
    build_dir = tmp_path / "build"
    _flat_build(build_dir, old)  # every file already promoted (here: the same as before) ...
    (build_dir / ".staging").rmdir()
    (build_dir / "oxigraph").rename(build_dir / "oxigraph.old")  # ... the old store set aside ...
    shutil.copytree(new / "oxigraph", build_dir / ".staging" / "oxigraph", copy_function=os.link)  # ... new staged
    release = current_release(build_dir)
    assert release.parent.name == RELEASES
    expected = {
        name: digest
        for name, digest in release_files(old).items()
        if name.split("/")[0] in FLAT_ENTRIES and not name.startswith("oxigraph/")
    }
    expected |= {name: digest for name, digest in release_files(new).items() if name.startswith("oxigraph/")}
    assert visible(build_dir) == expected
    assert not (build_dir / ".staging").exists() and not (build_dir / "oxigraph.old").exists()


def test_keeps_two_releases_and_removes_incomplete_ones(contents: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = contents
    build_dir = tmp_path / "build"
    names = []
    for source in (old, new, old):
        _previous_release(build_dir, source)
        names.append(os.readlink(build_dir / CURRENT))
    half = new_release(build_dir)  # a build killed while writing
    (half / "cytokg.ttl").write_text("half", encoding="utf-8")
    assert current_release(build_dir) == (build_dir / names[-1]).resolve()
    assert sorted(p.name for p in (build_dir / RELEASES).iterdir()) == [Path(n).name for n in names[1:]]
    assert visible(build_dir) == release_files(old)


def test_a_second_build_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with build_lock(tmp_path), pytest.raises(InputError, match="another cytokg build is running"), build_lock(tmp_path):
        pass


def test_a_bare_store_folder_is_left_alone(contents: tuple[Path, Path], tmp_path: Path) -> None:
    shutil.copytree(contents[0] / "oxigraph", tmp_path / "oxigraph", copy_function=os.link)
    assert current_release(tmp_path) == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["oxigraph"]


def test_release_files_are_world_readable(built: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    assert umask & 0o044 == 0, "run the tests with a umask that lets others read (022)"
    release = (built / CURRENT).resolve()
    modes = {str(p.relative_to(release)): p.stat().st_mode & 0o777 for p in [release, *release.rglob("*")]}
    wrong = {name: oct(mode) for name, mode in modes.items() if mode & 0o444 != 0o444}
    assert not wrong, f"not readable by everyone: {wrong}"
    assert modes["cytokg.ttl"] == 0o666 & ~umask and modes["oxigraph"] == 0o777 & ~umask


#: Runs `cytokg build` with one os function failing like a full disk or a read-only folder (tests run as root,
#: where chmod denies nothing). argv: build folder, the function, the errno name, then the build's arguments.
FAULT_SCRIPT = """
import errno, os, stat, sys
from cytokg.cli import main
build_dir, function, code = os.path.realpath(sys.argv[1]), sys.argv[2], getattr(errno, sys.argv[3])
real = getattr(os, function)
def failing(*args, **kwargs):
    if function == "fsync" and stat.S_ISREG(os.fstat(args[0]).st_mode):  # a file's data does not fit
        raise OSError(code, os.strerror(code))
    if function != "fsync" and os.path.realpath(args[0]).startswith(build_dir + os.sep):
        raise OSError(code, os.strerror(code), args[0])
    return real(*args, **kwargs)
setattr(os, function, failing)
main(sys.argv[4:])
"""


@pytest.mark.parametrize(
    ("function", "code", "problem"),
    [("fsync", "ENOSPC", "no space left on the device"), ("open", "EROFS", "read-only file system")],
)
def test_unwritable_build_folder_is_one_line_and_keeps_the_release(
    tmp_path: Path, function: str, code: str, problem: str
) -> None:
    build_dir = tmp_path / "build"
    small_release(build_dir)  # what the release holds does not matter: it must stay
    ontology = small_ontology(tmp_path / "ontology")  # nor what the build reads: a small input compiles at once
    before = os.readlink(build_dir / CURRENT), visible(build_dir)
    arguments = ["build", "--build-dir", str(build_dir), "--ontology-dir", str(ontology)]
    done = subprocess.run(
        [sys.executable, "-c", FAULT_SCRIPT, str(build_dir), function, code, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stderr.splitlines() if not line.startswith("… ")]
    assert done.returncode == 2, done.stderr
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert errors[0].startswith(f"error: {build_dir}") and f": {problem} (fix: " in errors[0], errors[0]
    assert (os.readlink(build_dir / CURRENT), visible(build_dir)) == before
    assert [p.name for p in (build_dir / RELEASES).iterdir()] == [Path(before[0]).name]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and f"\nPPid:\t{pid}\n" in status:
            found.append((int(entry.name), command))
    return found


def _wait_for(condition: Callable[[], bool], what: str, limit: float = 300) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` if it never does (a bound, not a timing)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_killed_build_leaves_no_java_then_the_next_build_publishes_the_same_bytes(built: Path, tmp_path: Path) -> None:
    """SIGKILL during the HermiT gate: the JVM dies too, build/ keeps its release; the next build recovers.

    The release before is the shared build (the first build of its folder, so no changes report); the killed build
    reads a small ontology (conftest.small_ontology: its HermiT starts at once); the next build reads the real one,
    runs under another hash seed and must publish the same bytes and report no change: builds are deterministic.
    """
    assert not (built / "reports" / CHANGES_REPORT).exists(), "a first build has no previous release to compare with"
    build_dir = tmp_path / "build"
    _previous_release(build_dir, (built / CURRENT).resolve())
    (build_dir / "failed-reports").mkdir()  # left by an earlier failed build
    before = os.readlink(build_dir / CURRENT), visible(build_dir)
    command = [sys.executable, "-m", "cytokg", "build", "--build-dir", str(build_dir), "--release-date", "2026-11-21"]
    killed = [*command, "--ontology-dir", str(small_ontology(tmp_path / "ontology"))]
    build = subprocess.Popen(killed, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        hermit: list[tuple[int, str]] = []

        def hermit_started() -> bool:
            hermit[:] = [child for child in _children(build.pid) if "HermiT" in child[1]]
            return bool(hermit) or build.poll() is not None

        _wait_for(hermit_started, "HermiT started by the build")
        assert hermit, "the build ended before HermiT ran"
        java = hermit[0][0]
        os.kill(java, signal.SIGSTOP)  # a stopped JVM cannot finish on its own: only a kill ends it
        build.send_signal(signal.SIGKILL)
        build.wait()
        _wait_for(lambda: _status(java) in ("", "Z"), "the JVM died with the build", limit=60)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        if hermit and _status(hermit[0][0]) not in ("", "Z"):
            os.kill(hermit[0][0], signal.SIGKILL)
    assert current_release(build_dir).name == Path(before[0]).name
    assert (os.readlink(build_dir / CURRENT), visible(build_dir)) == before
    assert len(list((build_dir / RELEASES).iterdir())) == 1  # the killed build's folder is gone
    other_seed = dict(os.environ, PYTHONHASHSEED=str(int(HASH_SEED) + 1))
    done = subprocess.run(command, cwd=ROOT, env=other_seed, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert os.readlink(build_dir / CURRENT) != before[0]
    assert {name: visible(build_dir)[name] for name in DOWNLOAD_FILES} == {n: before[1][n] for n in DOWNLOAD_FILES}
    assert len(list((build_dir / RELEASES).iterdir())) == 2
    assert not (build_dir / "failed-reports").exists()
    report = (build_dir / "reports" / CHANGES_REPORT).read_text(encoding="utf-8")
    assert "0 statements added, 0 removed in all." in report
    assert report.count("No change.") == report.count("\n## ") == 8
    assert (build_dir / "reports" / CHANGES_JSON).is_file()


def _status(pid: int) -> str:
    """The process's state letter (R, S, T, Z, …), or "" once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return ""
    return next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")


# --- issue 17: one dataset everywhere, and what changed between releases -------------------------------------

FIXTURE_RELEASES = ROOT / "tests" / "resources" / "releases"
GP130_FAMILY = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/cytokg/vocab/GP130FamilyCytokine> }"


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cytokg", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_cli_stats_and_sparql_answer_over_one_dataset(built: Path, tmp_path: Path) -> None:
    """The gp130 family is inferred (HermiT): `cytokg query` and /sparql count the same members, and cq16 agrees."""
    query = tmp_path / "gp130.rq"
    query.write_text(GP130_FAMILY, encoding="utf-8")
    cli = int(_cli("query", str(query), "--build-dir", str(built), "--format", "tsv").split()[-1].split("^^")[0])
    cq16 = ROOT / "queries" / "examples" / "cq16-gp130-family.rq"
    cli_rows = _cli("query", str(cq16), "--build-dir", str(built), "--format", "tsv").splitlines()[1:]
    app = create_app(built, ROOT / "queries")
    try:
        client = app.test_client()
        answer = client.get("/sparql", query_string={"query": GP130_FAMILY}, headers={"Accept": "text/csv"})
        served = int(answer.data.decode().split()[-1])
        rows = client.get("/sparql", query_string={"query": cq16.read_text()}, headers={"Accept": "text/csv"})
        served_rows = rows.data.decode().strip().splitlines()[1:]
    finally:
        app.extensions["cytokg"].close()
    assert cli == served >= 9
    assert len(cli_rows) == len(served_rows) > 0


def test_diff_of_two_fixture_releases(tmp_path: Path) -> None:
    out = tmp_path / "changes"
    printed = _cli("diff", str(FIXTURE_RELEASES / "old"), str(FIXTURE_RELEASES / "new"))
    _cli("diff", str(FIXTURE_RELEASES / "old"), str(FIXTURE_RELEASES / "new"), "--out", str(out))
    report = (out / "changes.md").read_text(encoding="utf-8")
    assert report == printed
    assert report.startswith("# What changed from CytoKG 2026-11-20 to 2026-11-21\n")
    for line in (
        "## Ligand-receptor bindings: 0 added, 0 removed",
        "## Cell links: 0 added, 1 removed",
        "- removed: interleukin 6 · cyto:actsOn · B cell",
        "- added: IL-10 · cyto:repressesExpressionOf · IL-6",
        "- removed: interleukin 6 · cyto:Biomarker · rheumatoid arthritis",
        "- added: Tocilizumab · cyto:hasTarget · IL-6R",
        "- added: cyto:Interleukin",
        "- renamed: https://w3id.org/cytokg/protein/HGNC_6018: interleukin 6 → IL-6",
        "- added: IL-6 · skos:closeMatch · https://identifiers.org/hgnc:6018",
    ):
        assert line in report.splitlines(), line
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    kinds = {kind["name"]: kind for kind in changes["kinds"]}
    assert set(kinds) == {
        "Ligand-receptor bindings",
        "Cell links",
        "Regulations",
        "Disease associations",
        "Drugs",
        "Classes",
        "Labels",
        "Mappings",
    }
    assert kinds["Drugs"]["added"] == ["Tocilizumab · cyto:hasTarget · IL-6R"] and not kinds["Drugs"]["removed"]
    # the blank-node statement that changed is not counted: its label is not stable between builds
    assert (changes["statements_added"], changes["statements_removed"]) == (6, 7)


def test_diff_refuses_a_folder_that_is_no_release(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cytokg", "diff", str(FIXTURE_RELEASES / "old"), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert f"{tmp_path}/cytokg.nt: not a release folder" in done.stderr


def test_downloads_link_the_changes_and_versions_are_served(built: Path) -> None:
    app = create_app(built, ROOT / "queries")
    try:
        client = app.test_client()
        page = client.get("/downloads").data.decode()
        version = client.get(f"/releases/{RELEASE_DATE}/cytokg-base.owl")
        current = client.get("/downloads/cytokg-base.owl")
        obo = client.get("/downloads/cytokg.obo")
    finally:
        app.extensions["cytokg"].close()
    assert "cytokg-base.owl" in page and "cytokg.obo" in page
    assert "changes.md" not in page, "a first build has no previous release to compare with"
    assert version.status_code == current.status_code == 200 and version.data == current.data
    assert obo.status_code == 200 and obo.mimetype == "text/plain"
