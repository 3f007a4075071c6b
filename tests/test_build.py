"""The build writes every release file, each with its own ontology IRI and version IRI.

That a rebuild under another hash seed publishes the same bytes is tested with the build after a killed one
(tests/test_releases.py), which compares itself with the shared build.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from cytokg.exports.release_set import MODULE_TYPE
from cytokg.gates.cache import GateCache, gate_key
from cytokg.gates.suite import GATES, GateReport, Layout, check_release, write_reports
from cytokg.namespaces import BASE, CYTO, ONTOLOGY_IRI
from cytokg.publish import CURRENT
from cytokg.release import (
    ASSERTED_TRIPLES,
    BASE_FILE,
    FULL_FILES,
    INFERRED_TYPES,
    OBO_FILE,
    OWL_FILES,
    RELEASE_FILES,
    TBOX_FILE,
)

from .conftest import LAYOUT, RELEASE_DATE, ROOT, need

OWLCHECK = ROOT.parent / "shared" / "tools" / "owlcheck" / "owlcheck"


#: rdflib's format of each release file, by suffix.
FORMATS = {".ttl": "turtle", ".owl": "xml", ".nt": "nt", ".jsonld": "json-ld"}


@pytest.fixture(scope="module")
def parsed(built: Path) -> Callable[[str], Graph]:
    """The shared build's files by name, each parsed by rdflib once for the module; read them, never change them."""

    @functools.cache
    def parse(name: str) -> Graph:
        return Graph().parse(built / name, format=FORMATS[Path(name).suffix])

    return parse


def test_release_files_exist_and_parse(built: Path, parsed: Callable[[str], Graph]) -> None:
    sizes = {name: len(parsed(name)) for name in RELEASE_FILES}
    assert len({sizes[n] for n in FULL_FILES}) == 1, f"the four full-graph files disagree in size: {sizes}"
    assert sizes[TBOX_FILE] < sizes[BASE_FILE] < sizes["cytokg.ttl"]
    assert (built / OBO_FILE).read_text(encoding="utf-8").startswith("format-version: 1.2")


def test_every_file_has_its_own_ontology_iri_and_version_iri(parsed: Callable[[str], Graph]) -> None:
    iris = {}
    for name in RELEASE_FILES:
        graph = parsed(name)
        ontologies = list(graph.subjects(RDF.type, OWL.Ontology))
        assert ontologies == [URIRef(BASE + name)], (name, ontologies)
        version = URIRef(f"{BASE}releases/{RELEASE_DATE}/{name}")
        assert list(graph.objects(ontologies[0], OWL.versionIRI)) == [version], name
        iris[name] = (ontologies[0], version)
        module = {"cytokg-base.owl": "IAO_8000001", TBOX_FILE: None}.get(name, "IAO_8000003")
        types = [str(o) for o in graph.objects(ontologies[0], MODULE_TYPE)]
        assert types == ([f"http://purl.obolibrary.org/obo/{module}"] if module else []), name
    assert len({iri for pair in iris.values() for iri in pair}) == 2 * len(RELEASE_FILES)


def test_ontology_header(parsed: Callable[[str], Graph]) -> None:
    graph = parsed("cytokg.owl")
    assert (
        ONTOLOGY_IRI,
        OWL.versionIRI,
        URIRef(f"https://w3id.org/cytokg/releases/{RELEASE_DATE}/cytokg.owl"),
    ) in graph
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == RELEASE_DATE
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


def test_full_files_hold_the_inferred_memberships(built: Path, parsed: Callable[[str], Graph]) -> None:
    """``?c a cyto:Chemokine`` answers on the release Turtle: HermiT's memberships are in every full file."""
    inferred = set(parsed(INFERRED_TYPES))
    assert inferred
    for name in FULL_FILES:
        assert inferred <= set(parsed(name)), name
    store = pyoxigraph.Store()
    store.load(path=str(built / "cytokg.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    chemokines = store.query(f"SELECT ?c WHERE {{ ?c a <{CYTO.Chemokine}> }}")
    assert isinstance(chemokines, pyoxigraph.QuerySolutions)
    assert len(list(chemokines)) >= 40
    asserted = parsed(ASSERTED_TRIPLES)
    assert not set(asserted.subjects(RDF.type, CYTO.Chemokine)), "Chemokine is defined: its members are inferred"


def test_base_holds_only_our_axioms(parsed: Callable[[str], Graph]) -> None:
    base = parsed(BASE_FILE)
    full = parsed("cytokg.owl")
    external = {s for s in base.subjects() if isinstance(s, URIRef) and not str(s).startswith(BASE)}
    assert external, "the external terms CytoKG uses are declared"
    for term in external:  # declared, nothing more: their labels and parents stay in their ontologies
        assert {p for p, _ in base.predicate_objects(term)} == {RDF.type}, term
    cell = URIRef("http://purl.obolibrary.org/obo/CL_0000236")
    assert (cell, RDF.type, OWL.Class) in base
    assert full.value(cell, RDFS.label) is not None and base.value(cell, RDFS.label) is None
    ours = {s for s in full.subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)}
    assert ours - {ONTOLOGY_IRI} <= set(base.subjects())
    assert not set(parsed(INFERRED_TYPES)) <= set(base), "the base is not reasoned"


def test_every_owl_file_passes_owlcheck(built: Path) -> None:
    need(OWLCHECK.is_file(), f"owlcheck not found at {OWLCHECK} (the ../shared folder beside the project)")
    done = subprocess.run(
        [str(OWLCHECK), *(str(built / name) for name in OWL_FILES)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_tbox_has_no_instance_data(parsed: Callable[[str], Graph]) -> None:
    tbox = parsed("cytokg-ontology.owl")
    subjects = {str(s) for s in tbox.subjects() if isinstance(s, URIRef)}
    assert not [s for s in subjects if "/complex/" in s or "/source/" in s]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_check_reuses_the_builds_gates_and_never_writes_into_the_release(built: Path, tmp_path: Path) -> None:
    release = (built / CURRENT).resolve()
    before = _tree_digest(release)
    reports = check_release(release, LAYOUT, tmp_path / "reports", lambda _: None)
    assert [(r.name, r.status, r.reused) for r in reports] == [(name, "pass", True) for name in GATES]
    assert _tree_digest(release) == before
    for report in reports:
        assert (tmp_path / "reports" / f"{report.name}.txt").read_text(encoding="utf-8") == (
            release / "reports" / f"{report.name}.txt"
        ).read_text(encoding="utf-8")


def test_check_after_a_shape_edit_reruns_only_shacl(built: Path, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shutil.copytree(LAYOUT.shapes, shapes)
    first = min(shapes.glob("*.ttl"))
    first.write_text(first.read_text(encoding="utf-8") + "\n# an edit that changes no rule\n", encoding="utf-8")
    layout = Layout(shapes, LAYOUT.queries)
    reports = check_release((built / CURRENT).resolve(), layout, tmp_path / "reports", lambda _: None)
    assert [(r.name, r.status, r.reused) for r in reports] == [(name, "pass", name != "shacl") for name in GATES]
    again = check_release((built / CURRENT).resolve(), layout, tmp_path / "reports", lambda _: None)
    assert all(r.reused for r in again)  # the check's own reports are kept for the next check


def test_a_kept_report_is_found_only_by_its_key(tmp_path: Path) -> None:
    report = GateReport("qc", "fail", ["missing-label: 1 rows"])
    write_reports([report], {"qc": gate_key("qc", b"one input")}, tmp_path)
    cache = GateCache([tmp_path, tmp_path / "absent"])
    assert cache.get("qc", gate_key("qc", b"one input")) == GateReport("qc", "fail", report.lines, reused=True)
    assert cache.get("qc", gate_key("qc", b"another input")) is None
    assert cache.get("shacl", gate_key("qc", b"one input")) is None
