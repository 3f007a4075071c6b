"""`cytokg export kgx`: Biolink KGX TSV that kgx validates (offline), with provenance on every edge."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pyoxigraph
import pytest

from cytokg.errors import InputError
from cytokg.exports.kgx import ASSOCIATION_KINDS, CYTOKG_INFORES, CYTOKG_PREFIXES, PREDICATES, curie, export_kgx
from cytokg.store import open_store

from .conftest import ROOT, need, select

Row = dict[str, str]


def _read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def kgx_dir(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export of the session build, written by the real command line."""
    out = tmp_path_factory.mktemp("kgx")
    done = subprocess.run(
        [sys.executable, "-m", "cytokg", "export", "kgx", "--build-dir", str(built), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "biolink:treats" in done.stdout
    return out


@pytest.fixture(scope="module")
def nodes(kgx_dir: Path) -> list[Row]:
    return _read(kgx_dir / "cytokg_nodes.tsv")


@pytest.fixture(scope="module")
def edges(kgx_dir: Path) -> list[Row]:
    return _read(kgx_dir / "cytokg_edges.tsv")


def _biolink_model() -> Path:
    """The biolink-model package's folder (a namespace package: schema/ and prefixmaps/, no __init__)."""
    spec = importlib.util.find_spec("biolink_model")
    locations = list(spec.submodule_search_locations or []) if spec else []
    need(bool(locations), "biolink-model comes with kgx in the test extras: pip install -e '.[test]'")
    return Path(locations[0])


@pytest.fixture(scope="module")
def kgx_cli() -> Iterator[ModuleType]:
    """kgx's validate API, pointed at the Biolink model bundled with biolink-model, so nothing is downloaded.

    bmt's ``Toolkit()`` defaults to the model and predicate map on GitHub and kgx builds one when imported;
    kgx reads the Biolink JSON-LD context from GitHub. Both are redirected to the installed package, and
    CytoKG's own node prefixes (``CYTOKG_PREFIXES``) are added to that context: they are the only additions.
    """
    need(importlib.util.find_spec("kgx") is not None, "kgx is in the test extras: pip install -e '.[test]'")
    folder = _biolink_model()
    import bmt.toolkit

    context = json.loads((folder / "prefixmaps" / "biolink-model-prefix-map.json").read_text(encoding="utf-8"))
    schema = str(folder / "schema" / "biolink_model.yaml")
    defaults: tuple[str, dict[str, list[str]]] = (schema, {"predicate mappings": []})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bmt.toolkit.Toolkit.__init__, "__defaults__", defaults)
        import kgx.config

        patch.setitem(kgx.config.jsonld_context_map, "biolink", {**context, **CYTOKG_PREFIXES})
        from kgx.cli import cli_utils

        yield cli_utils


def _validate(kgx_cli: ModuleType, folder: Path, report: Path) -> dict[str, object]:
    files = [str(folder / "cytokg_nodes.tsv"), str(folder / "cytokg_edges.tsv")]
    errors: dict[str, object] = kgx_cli.validate(files, "tsv", None, str(report))
    return errors


def test_export_validates_with_kgx(kgx_cli: ModuleType, kgx_dir: Path, tmp_path: Path) -> None:
    errors = _validate(kgx_cli, kgx_dir, tmp_path / "report.json")
    assert errors == {}, json.dumps(errors, indent=1)[:3000]
    from kgx.validator import Validator

    assert Validator.get_toolkit().get_model_version() == _biolink_version()


def _biolink_version() -> str:
    from importlib.metadata import version

    return version("biolink-model")


def test_kgx_reports_a_broken_export(kgx_cli: ModuleType, kgx_dir: Path, tmp_path: Path) -> None:
    """The validation above can fail: an unknown predicate and a malformed CURIE are reported."""
    shutil.copy(kgx_dir / "cytokg_nodes.tsv", tmp_path)
    lines = (kgx_dir / "cytokg_edges.tsv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("\tbiolink:", "\tbiolink:fixture_not_a_predicate_", 1)
    lines[2] = lines[2].replace("\tcytokg.", "\tcytokg/fixture/", 1)
    (tmp_path / "cytokg_edges.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = json.dumps(_validate(kgx_cli, tmp_path, tmp_path / "report.json"))
    assert "INVALID_EDGE_PREDICATE" in errors and "fixture_not_a_predicate" in errors
    assert "cytokg/fixture/" in errors


def test_values_are_biolink_enums_and_predicates_are_current(kgx_cli: ModuleType, edges: list[Row]) -> None:
    """kgx does not check enum-valued slots; check them, and that no mapped predicate is deprecated."""
    from kgx.validator import Validator

    toolkit = Validator.get_toolkit()
    enums = {
        "knowledge_level": "KnowledgeLevelEnum",
        "agent_type": "AgentTypeEnum",
        "subject_form_or_variant_qualifier": "ChemicalOrGeneOrGeneProductFormOrVariantEnum",
        "object_aspect_qualifier": "GeneOrGeneProductOrChemicalEntityAspectEnum",
        "object_direction_qualifier": "DirectionQualifierEnum",
        "clinical_approval_status": "ClinicalApprovalStatusEnum",
    }
    for column, enum in enums.items():
        allowed = set(toolkit.view.get_enum(enum).permissible_values)
        used = {edge[column] for edge in edges} - {""}
        assert used, f"no edge has a {column}"
        assert used <= allowed, f"{column}: {sorted(used - allowed)} not in {enum}"
    assert {edge["qualified_predicate"] for edge in edges} == {"", "biolink:causes"}
    for mapped in [*PREDICATES.values(), *ASSOCIATION_KINDS.values()]:
        element = toolkit.get_element(mapped.predicate)
        assert element is not None and toolkit.is_predicate(mapped.predicate), mapped.predicate
        assert not element.deprecated, f"{mapped.predicate} is deprecated in Biolink {_biolink_version()}"


def test_every_edge_carries_its_provenance(edges: list[Row]) -> None:
    assert len(edges) > 2000
    for edge in edges:
        assert edge["primary_knowledge_source"] == CYTOKG_INFORES, edge
        assert edge["knowledge_level"] and edge["agent_type"], edge
        assert edge["has_evidence"].startswith("ECO:"), edge
    assert len({edge["id"] for edge in edges}) == len(edges)
    assert any(edge["publications"] == "PMID:17708739" for edge in edges)


def test_nodes_are_the_ends_of_the_edges(nodes: list[Row], edges: list[Row]) -> None:
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids))
    assert set(ids) == {edge["subject"] for edge in edges} | {edge["object"] for edge in edges}
    categories = {node["id"]: node["category"] for node in nodes}
    assert categories["cytokg.protein:HGNC_6018"] == "biolink:Protein"
    assert categories["CL:0000235"] == "biolink:Cell"
    il6 = next(node for node in nodes if node["id"] == "cytokg.protein:HGNC_6018")
    assert il6["name"] == "IL-6" and "hgnc:6018" in il6["xref"].split("|"), il6  # Bioregistry CURIEs


def test_every_mapped_fact_is_an_edge(built: Path, edges: list[Row]) -> None:
    """Each asserted triple of a mapped property appears as an edge with its Biolink predicate."""
    exported = {(edge["subject"], edge["predicate"], edge["object"]) for edge in edges}
    values = " ".join(f"<{iri}>" for iri in PREDICATES)
    store = open_store(built / "oxigraph")
    facts = select(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o FILTER(isIRI(?o)) }}")
    assert len(facts) > 2000
    for s, p, o in ((row["s"].value, row["p"].value, row["o"].value) for row in facts):
        assert (curie(s), PREDICATES[p].predicate, curie(o)) in exported, (s, p, o)


def test_treats_edges_come_only_from_approved_indications(built: Path, edges: list[Row]) -> None:
    """Every biolink:treats edge is a cyto:treats fact (RO:0002606 in KGX), with its source, of an approved drug."""
    treats = [edge for edge in edges if edge["predicate"] == "biolink:treats"]
    store = open_store(built / "oxigraph")
    ro_facts = select(store, "SELECT DISTINCT ?d ?x WHERE { ?d <https://w3id.org/cytokg/vocab/treats> ?x }")
    assert treats and len(treats) == len(ro_facts)
    for edge in treats:
        assert edge["original_predicate"] == "RO:0002606", edge
        assert edge["clinical_approval_status"] == "approved_for_condition", edge
        assert edge["knowledge_level"] == "knowledge_assertion" and edge["agent_type"] == "manual_agent", edge
        prefix, _, key = edge["subject"].partition(":")
        drug = CYTOKG_PREFIXES[prefix] + key
        disease = "http://purl.obolibrary.org/obo/" + edge["object"].replace(":", "_")
        approved = f"""PREFIX cyto: <https://w3id.org/cytokg/vocab/> PREFIX owl: <http://www.w3.org/2002/07/owl#>
            PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX obo: <http://purl.obolibrary.org/obo/>
            ASK {{ <{drug}> a cyto:Drug ; cyto:treats <{disease}> ; cyto:approvalStatus "approved" .
                   ?axiom owl:annotatedSource <{drug}> ; owl:annotatedProperty cyto:treats ;
                          owl:annotatedTarget <{disease}> ; dcterms:source ?source ; cyto:evidence ?evidence }}"""
        assert bool(store.query(approved)), f"treats edge without an approved-indication source: {edge}"


_UNAPPROVED_FIXTURE = """
@prefix cyto: <https://w3id.org/cytokg/vocab/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix obo: <http://purl.obolibrary.org/obo/> .
# Synthetic fixture: a made-up withdrawn drug that 'treats' a disease.
<https://w3id.org/cytokg/drug/DB99999> a cyto:Drug ; cyto:approvalStatus "withdrawn" ;
    cyto:treats obo:MONDO_0008383 .
[] a owl:Axiom ; owl:annotatedSource <https://w3id.org/cytokg/drug/DB99999> ;
   owl:annotatedProperty cyto:treats ; owl:annotatedTarget obo:MONDO_0008383 ;
   dcterms:source <https://w3id.org/cytokg/source/fixture> ; cyto:evidence obo:ECO_0000305 .
"""


def test_export_refuses_treats_for_a_drug_not_approved(tmp_path: Path) -> None:
    store = pyoxigraph.Store()
    store.load(_UNAPPROVED_FIXTURE.encode(), pyoxigraph.RdfFormat.TURTLE)
    with pytest.raises(InputError, match=r"DB99999.*withdrawn"):
        export_kgx(store, tmp_path / "kgx")
    assert not (tmp_path / "kgx" / "cytokg_edges.tsv").exists()


def test_export_is_deterministic(built: Path, kgx_dir: Path, tmp_path: Path) -> None:
    export_kgx(open_store(built / "oxigraph"), tmp_path)
    for name in ("cytokg_nodes.tsv", "cytokg_edges.tsv"):
        assert (tmp_path / name).read_bytes() == (kgx_dir / name).read_bytes(), name


def test_docs_counts_match_the_export(nodes: list[Row], edges: list[Row]) -> None:
    text = (ROOT / "docs" / "kgx.md").read_text(encoding="utf-8")
    documented = {name: int(count) for name, count in re.findall(r"\| `(biolink:\w+)` \| (\d+) \|", text)}
    counts = Counter(node["category"] for node in nodes) + Counter(edge["predicate"] for edge in edges)
    assert documented == dict(counts), "update the counts table of docs/kgx.md from `cytokg export kgx`"
    assert f"({len(nodes):,} nodes, {len(edges):,} edges)" in text


def test_missing_build_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cytokg", "export", "kgx", "--build-dir", str(tmp_path / "nothing")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "run `cytokg build` first" in done.stderr and "Traceback" not in done.stderr
