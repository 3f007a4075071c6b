"""The build writes every release file, deterministically, with the ontology header."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL

from cytokg.namespaces import ONTOLOGY_IRI
from cytokg.owlapi import owlapi_available
from cytokg.release import RELEASE_FILES

from .conftest import RELEASE_DATE, ROOT, need


def test_release_files_exist_and_parse(built: Path) -> None:
    formats = {".ttl": "turtle", ".owl": "xml", ".nt": "nt", ".jsonld": "json-ld"}
    sizes = {}
    for name in RELEASE_FILES:
        graph = Graph().parse(built / name, format=formats[Path(name).suffix])
        sizes[name] = len(graph)
    full = {sizes[n] for n in RELEASE_FILES if n != "cytokg-ontology.owl"}
    assert len(full) == 1, f"the four full-graph files disagree in size: {sizes}"
    assert sizes["cytokg-ontology.owl"] < sizes["cytokg.ttl"]


def test_ontology_header(built: Path) -> None:
    graph = Graph().parse(built / "cytokg.owl", format="xml")
    assert (
        ONTOLOGY_IRI,
        OWL.versionIRI,
        URIRef(f"https://w3id.org/cytokg/releases/{RELEASE_DATE}/cytokg.owl"),
    ) in graph
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == RELEASE_DATE
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert graph.value(ONTOLOGY_IRI, predicate) is not None, predicate


def test_tbox_has_no_instance_data(built: Path) -> None:
    tbox = Graph().parse(built / "cytokg-ontology.owl", format="xml")
    subjects = {str(s) for s in tbox.subjects() if isinstance(s, URIRef)}
    assert not [s for s in subjects if "/complex/" in s or "/source/" in s]


def _sha(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in RELEASE_FILES}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    need(owlapi_available(), "the OWL API is needed for the build's OWL 2 DL gate: apt-get install libowlapi-java")
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"build{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [sys.executable, "-m", "cytokg", "build", "--build-dir", str(out), "--release-date", RELEASE_DATE],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        digests.append(_sha(out))
    assert digests[0] == digests[1]
