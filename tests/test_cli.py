"""The command line: exit codes 0/1/2, one clear line for bad input, previous build left intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RELEASE_DATE, ROOT, release_digest, small_ontology, small_release


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cytokg", *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture()
def release(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A build folder with one small published release (a refused build must leave it alone) and its digests."""
    build_dir = tmp_path / "build"
    return build_dir, small_release(build_dir)


def test_turtle_syntax_error_exits_2_and_keeps_build(release: tuple[Path, dict[str, str]], ontology_copy: Path) -> None:
    build_dir, before = release
    edit = ontology_copy / "cytokg-edit.ttl"
    lines = edit.read_text().splitlines()
    lines[40] = lines[40] + " this is not turtle ;;"
    edit.write_text("\n".join(lines) + "\n")
    done = _run(
        "build", "--ontology-dir", str(ontology_copy), "--build-dir", str(build_dir), "--release-date", RELEASE_DATE
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cytokg-edit.ttl:" in errors[0] and "fix:" in errors[0], done.stderr
    assert "Traceback" not in done.stderr
    assert release_digest(build_dir) == before


def test_bad_identifier_in_table_exits_2_naming_file_and_line(
    release: tuple[Path, dict[str, str]], ontology_copy: Path
) -> None:
    build_dir, before = release
    table = ontology_copy / "data" / "cell_links.tsv"
    text = table.read_text().replace("CL:0000576", "CL:9999999", 1)
    table.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "CL:9999999" in row)
    done = _run(
        "build", "--ontology-dir", str(ontology_copy), "--build-dir", str(build_dir), "--release-date", RELEASE_DATE
    )
    assert done.returncode == 2
    assert f"cell_links.tsv:{line}:" in done.stderr and "CL:9999999" in done.stderr and "fix:" in done.stderr
    assert release_digest(build_dir) == before


def test_unknown_symbol_names_the_fix(ontology_copy: Path, tmp_path: Path) -> None:
    table = ontology_copy / "data" / "ligand_receptors.tsv"
    table.write_text(table.read_text() + "IL99\tCXCR1\tcytokg-curation\tECO:0000305\n")
    done = _run("build", "--ontology-dir", str(ontology_copy), "--build-dir", str(tmp_path / "b"))
    assert done.returncode == 2
    assert "ligand_receptors.tsv:" in done.stderr and "unknown gene symbol 'IL99'" in done.stderr


def test_missing_column_is_reported(ontology_copy: Path, tmp_path: Path) -> None:
    table = ontology_copy / "data" / "gene_products.tsv"
    table.write_text(table.read_text() + "IL6ST\treceptor_chain\n")
    done = _run("build", "--ontology-dir", str(ontology_copy), "--build-dir", str(tmp_path / "b"))
    assert done.returncode == 2
    assert "gene_products.tsv:" in done.stderr and "expected 3" in done.stderr


def test_gate_failure_exits_1_and_keeps_build(release: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A class without a label fails the QC gate; on a small ontology (conftest.small_ontology), so the whole build
    with every gate takes seconds."""
    build_dir, before = release
    ontology = small_ontology(tmp_path / "ontology")
    edit = ontology / "cytokg-edit.ttl"
    text = edit.read_text()
    assert 'rdfs:label "adipokine"@en ;' in text
    edit.write_text(text.replace('rdfs:label "adipokine"@en ;', ""))
    done = _run("build", "--ontology-dir", str(ontology), "--build-dir", str(build_dir), "--release-date", RELEASE_DATE)
    assert done.returncode == 1, done.stderr
    assert "missing-label" in done.stdout and "Adipokine" in done.stdout
    assert release_digest(build_dir) == before


def test_query_and_stats(built: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text(
        "PREFIX cyto: <https://w3id.org/cytokg/vocab/>\n"
        'SELECT ?symbol WHERE { ?p cyto:hgncSymbol ?symbol ; cyto:commonName "gp130" }\n'
    )
    done = _run("query", str(query), "--build-dir", str(built), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["symbol", "IL6ST"]
    stats = _run("stats", "--build-dir", str(built), "--format", "tsv")
    counts = dict(line.split("\t") for line in stats.stdout.splitlines())
    assert int(counts["triples"]) > 1000 and int(counts["receptor_complexes"]) >= 25


def test_check_passes_on_a_good_build(own_build: Path) -> None:
    done = _run("check", "--build-dir", str(own_build))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" pass") == 4
