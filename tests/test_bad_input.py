"""Fuzz the curated sources: every corruption gives one line `file:line: problem (fix: …)`, and the release stays.

Each case copies ontology/, shapes/ and queries/ to a temporary folder, breaks one thing, and runs `cytokg build`
against the session's good release (issue 13, point 8). Most cases fail while reading the inputs, in seconds: they run
the command in the test process (click's runner, from the copy's folder, as `python -m cytokg` would), since a new
Python costs more than the reading. The few that only a gate can catch (an inconsistency, a shape violation) run the
whole build in its own process, end to end, on a small copy of ontology/ that keeps the rows the gate needs
(conftest.small_ontology); tests/test_cli.py's bad-input tests run in their own process too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from cytokg.cli import main

from .conftest import ONTOLOGY, RELEASE_DATE, ROOT, release_digest, small_ontology, small_release

TREES = ("ontology", "shapes", "queries")


@dataclass(frozen=True)
class Corruption:
    """One careless edit of one curated file, and what the one error line must say."""

    name: str
    file: str  # relative to the project root
    change: Callable[[bytes], bytes]
    where: str  # "file.ext:LINE" (or "file.ext" when there is no line) the message must start with
    says: str  # words the problem must contain
    exit_code: int = 2
    keeps: tuple[str, ...] = ()  # a gate case: the gene products its small ontology keeps (what the gate needs)


def _lines(file: str) -> list[bytes]:
    return (ROOT / file).read_bytes().split(b"\n")


def _line_with(file: str, needle: str) -> int:
    """The 1-based number of the first line of ``file`` containing ``needle`` (not a table's comment line)."""
    comment = b"#" if file.endswith(".tsv") else b"\0"
    return next(
        number
        for number, line in enumerate(_lines(file), start=1)
        if needle.encode() in line and not line.startswith(comment)
    )


def _on_line(name: str, file: str, needle: str, edit: Callable[[bytes], bytes], says: str) -> Corruption:
    """Edit the first line of ``file`` that contains ``needle``; the error must point at that line."""
    number = _line_with(file, needle)

    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[number - 1] = edit(lines[number - 1])
        return b"\n".join(lines)

    return Corruption(name, file, change, f"{Path(file).name}:{number}", says)


def _cell(number: int, value: str) -> Callable[[bytes], bytes]:
    """Replace tab-separated cell ``number`` (0-based) of a line."""

    def edit(line: bytes) -> bytes:
        cells = line.split(b"\t")
        cells[number] = value.encode()
        return b"\t".join(cells)

    return edit


def _append(text: str) -> Callable[[bytes], bytes]:
    return lambda line: line + text.encode()


def _replace(old: str, new: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(old.encode(), new.encode(), 1)


def _header_line(file: str) -> int:
    return next(n for n, line in enumerate(_lines(file), start=1) if line and not line.startswith(b"#"))


def _last_line(file: str) -> int:
    return len((ROOT / file).read_bytes().rstrip(b"\n").split(b"\n"))


SOURCES = "ontology/data/sources.tsv"
GENES = "ontology/data/gene_products.tsv"
HGNC = "ontology/data/hgnc_genes.tsv"
LIGANDS = "ontology/data/ligand_receptors.tsv"
FAMILIES = "ontology/data/family_memberships.tsv"
EDIT = "ontology/cytokg-edit.ttl"
CATALOG = "shapes/catalog.ttl"
BIOMED = "shapes/biomedicine.ttl"
LABEL_QC = "queries/qc/missing-label.rq"
REGULATION = "ontology/data/regulation.tsv"
CLAIM_DISEASES = "ontology/data/claim_diseases.tsv"
CLAIM_FACTS = "ontology/data/claim_facts.tsv"

CORRUPTIONS = [
    # Encodings and invisible characters
    _on_line("latin1-in-tsv", SOURCES, "src-001", lambda line: line.replace(b"Cleveland", b"Cl\xe9veland"), "UTF-8"),
    _on_line("nul-in-tsv-cell", GENES, "IL6\t", lambda line: line.replace(b"IL-6", b"IL\x00-6"), "U+0000"),
    _on_line("escape-char-in-tsv", LIGANDS, "IL1B", _append("\x1b"), "control character"),
    Corruption("bom-in-tsv", "ontology/data/cell_links.tsv", lambda d: b"\xef\xbb\xbf" + d, "cell_links.tsv:1", "BOM"),
    Corruption(
        "crlf-in-tsv", REGULATION, lambda d: d.replace(b"\n", b"\r\n"), "regulation.tsv:1", "Windows line ending"
    ),
    _on_line("latin1-in-edit-ttl", EDIT, 'rdfs:label "cytokine"@en', lambda line: line.replace(b"y", b"\xff"), "UTF-8"),
    Corruption("bom-in-edit-ttl", EDIT, lambda d: b"\xef\xbb\xbf" + d, "cytokg-edit.ttl:1", "BOM"),
    _on_line(
        "latin1-in-shapes", BIOMED, "a claim states", lambda line: line.replace(b"claim", b"cl\xe4im", 1), "UTF-8"
    ),
    _on_line("latin1-in-qc-query", LABEL_QC, "# Fix:", lambda line: line + b" \xa7", "UTF-8"),
    # Table layout
    Corruption(
        "duplicate-header-column",
        REGULATION,
        _replace("\tnote", "\tsource"),
        f"regulation.tsv:{_header_line(REGULATION)}",
        "appears twice",
    ),
    Corruption(
        "missing-header-column",
        LIGANDS,
        _replace("\tevidence", ""),
        f"ligand_receptors.tsv:{_header_line(LIGANDS)}",
        "lacks column",
    ),
    Corruption(
        "header-columns-swapped",
        LIGANDS,
        _replace("source\tevidence", "evidence\tsource"),
        f"ligand_receptors.tsv:{_header_line(LIGANDS)}",
        "wrong order",
    ),
    Corruption(
        "header-trailing-tab",
        LIGANDS,
        _replace("\tevidence", "\tevidence\t"),
        f"ligand_receptors.tsv:{_header_line(LIGANDS)}",
        "ends with a tab",
    ),
    _on_line("row-missing-cell", LIGANDS, "IL1B", lambda line: line.rsplit(b"\t", 1)[0], "expected 4"),
    _on_line("row-extra-cell", LIGANDS, "IL1B", _append("\tsurplus"), "expected 4"),
    _on_line("row-trailing-tabs", "ontology/data/process_links.tsv", "CSF3", _append("\t\t"), "extra tab"),
    _on_line("spaces-instead-of-tabs", LIGANDS, "IL1B", lambda line: line.replace(b"\t", b"    "), "columns"),
    Corruption(
        "misnamed-table-part",
        "ontology/data/gene_product.tnf.tsv",
        lambda d: b"symbol\tkind\n",
        "gene_product.tnf.tsv",
        "not a curated table",
    ),
    Corruption("empty-table", "ontology/data/drugs.tsv", lambda d: b"", "drugs.tsv", "no header"),
    # Cells
    _on_line("empty-required-cell", LIGANDS, "IL1B", _cell(2, ""), "'source' is empty"),
    _on_line("unknown-source", LIGANDS, "IL1B", _cell(2, "src-999"), "unknown source 'src-999'"),
    _on_line("unknown-gene", LIGANDS, "IL1B", _cell(0, "IL1BB"), "unknown gene symbol 'IL1BB'"),
    _on_line("unknown-complex", LIGANDS, "IL1B", _cell(1, "NO-SUCH-COMPLEX"), "NO-SUCH-COMPLEX"),
    _on_line(
        "cell-evidence-without-link",
        "ontology/data/cell_link_evidence.tsv",
        "IL17A\t",
        _cell(2, "CL:0000084"),
        "is not in cell_links*.tsv",
    ),
    _on_line("malformed-curie", "ontology/data/cell_links.tsv", "CL:", _replace("CL:", "CL"), "CURIE"),
    _on_line(
        "unknown-cell-state",
        "ontology/data/cell_links.tsv",
        "IL1B\tproducedBy\tCL:0000576",
        _cell(3, "sleepy"),
        "unknown cell_state 'sleepy'",
    ),
    _on_line(
        "unknown-cl-in-context-cells",
        REGULATION,
        "IL6\tinduces\tCRP\thepatocytes",
        _cell(4, "CL:0000182|CL:9999999"),
        "'CL:9999999' is not in ontology/imports/external_terms.tsv",
    ),
    _on_line("unknown-eco-term", LIGANDS, "IL1B", _cell(3, "ECO:9999999"), "ECO:9999999"),
    _on_line("wrong-prefix-evidence", LIGANDS, "IL1B", _cell(3, "GO:0005125"), "not a ECO term"),
    _on_line("unknown-family-class", FAMILIES, "IL6\t", _cell(1, "Interleukine"), "not a CytoKG class"),
    _on_line("family-class-with-space", FAMILIES, "IL6\t", _cell(1, "Inter leukin"), "not a CytoKG class"),
    _on_line("unknown-gene-kind", GENES, "IL6\t", _cell(1, "cytokin"), "unknown kind"),
    _on_line("unknown-source-kind", SOURCES, "src-001", _cell(1, "Article"), "unknown source kind"),
    _on_line(
        "id-policy-space", "ontology/data/protein_forms.tsv", "IL6R-soluble", _cell(0, "IL6R soluble"), "ID policy"
    ),
    _on_line("duplicate-key", SOURCES, "src-001", lambda line: line.replace(b"src-001", b"src-000"), "duplicate"),
    replace(
        _on_line("repeated-row", LIGANDS, "IL1B", lambda line: line + b"\n" + line, "repeats"),
        where=f"ligand_receptors.tsv:{_line_with(LIGANDS, 'IL1B') + 1}",
    ),
    _on_line("invalid-date", SOURCES, "src-001", _cell(4, "2023-13-45"), "not a valid date"),
    _on_line("pmid-with-space", SOURCES, "src-001", _cell(3, "PMID 123"), "identifier 'PMID 123' is malformed"),
    _on_line("us-style-date", SOURCES, "src-001", _cell(4, "01/03/2023"), "not a valid date"),
    _on_line("malformed-hgnc-id", HGNC, "IL6\tHGNC:6018", _cell(1, "HGNC6018"), "hgnc_id 'HGNC6018' is malformed"),
    _on_line("malformed-ensembl-id", HGNC, "IL6\tHGNC:6018", _cell(4, "ENSG0136244"), "ensembl_gene_id"),
    _on_line("malformed-uniprot", HGNC, "IL6\tHGNC:6018", _cell(5, "P0523"), "UniProt accession"),
    replace(
        _on_line("duplicate-hgnc-row", HGNC, "IL6\tHGNC:6018", lambda line: line + b"\n" + line, "duplicate symbol"),
        where=f"hgnc_genes.tsv:{_line_with(HGNC, 'IL6	HGNC:6018') + 1}",
    ),
    _on_line(
        "malformed-external-term",
        "ontology/imports/external_terms.tsv",
        "CHEBI:125354",
        _cell(0, "CHEBI 125354"),
        "CURIE",
    ),
    # Turtle
    Corruption(
        "unbound-prefix-in-edit-ttl",
        EDIT,
        _replace(' "term replaced by"@en .', ' "term replaced by"@en . cytx:foo .'),
        f"cytokg-edit.ttl:{_line_with(EDIT, 'term replaced by')}",
        'Prefix "cytx:" not bound',
    ),
    _on_line("unterminated-string-in-edit-ttl", EDIT, 'rdfs:label "cytokine"@en', _replace('"@en', "@en"), "Turtle"),
    replace(  # the parser notices at the next token, on the next line
        _on_line("two-objects-no-comma", EDIT, "cyto:Cytokine a owl:Class", _append(" owl:Thing"), "expected '.'"),
        where=f"cytokg-edit.ttl:{_line_with(EDIT, 'cyto:Cytokine a owl:Class') + 1}",
    ),
    _on_line("iri-with-space", EDIT, "cyto:Cytokine a owl:Class", _replace("cyto:Cytokine", "<cyto Cytokine>"), "IRI"),
    Corruption(
        "missing-final-dot", EDIT, lambda d: d.rstrip().rstrip(b"."), f"cytokg-edit.ttl:{_last_line(EDIT)}", "Turtle"
    ),
    _on_line(
        "shapes-syntax-error", CATALOG, "sh:targetClass cyto:Cytokine", _replace(" ;", " ]"), "Turtle syntax error"
    ),
    _on_line("shapes-unbound-prefix", BIOMED, "sh:targetClass cyto:Drug", _replace("cyto:", "cytox:"), "not bound"),
    _on_line(
        "shape-bad-count",
        CATALOG,
        "sh:path cyto:hgncId",
        _replace("sh:minCount 1", 'sh:minCount "one"'),
        "cannot be used",
    ),
    _on_line("shape-bad-pattern", CATALOG, "sh:path cyto:hgncId", _replace("[0-9]+", "[0-9+"), "cannot be used"),
    replace(
        _on_line(
            "shape-sparql-error", CATALOG, "FILTER NOT EXISTS { $this a ?class", _replace(" .", ""), "cannot be used"
        ),
        where=f"catalog.ttl:{_line_with(CATALOG, 'cshape:ReceptorChainClassShape a')}",
    ),
    # Evidence model: one kind per association; a general claim names a known claim
    _on_line(
        "association-with-two-kinds",
        "ontology/data/disease_associations.tsv",
        "A-C003-02\t",
        _cell(3, "biomarker|driver"),
        "a second kind of link is a second association row",
    ),
    _on_line("claim-disease-unknown-claim", CLAIM_DISEASES, "C000-14", _cell(0, "C999-99"), "unknown claim 'C999-99'"),
    # Claims as data: a claim cites its source only on a fact of the graph, and only if it is not rejected
    _on_line("claim-fact-unknown-claim", CLAIM_FACTS, "C003-28\t", _cell(0, "C999-99"), "unknown claim 'C999-99'"),
    _on_line(
        "claim-fact-not-in-graph",
        CLAIM_FACTS,
        "C003-28\t",
        _cell(3, "MONDO:0005178"),
        "fact 'DB06273 treats MONDO:0005178' is not in the graph",
    ),
    _on_line("claim-fact-rejected-claim", CLAIM_FACTS, "C004-35\t", _cell(0, "C004-40"), "claim 'C004-40' is rejected"),
    _on_line(
        "correction-unknown-claim",
        "ontology/data/corrections.tsv",
        "tocilizumab-target\t",
        _cell(2, "C003-99"),
        "unknown claim 'C003-99' in column 'contradicted_by'",
    ),
    _on_line(
        "associations-that-read-the-same",
        "ontology/data/disease_associations.diseases.tsv",
        "D-C003-12\t",
        _cell(12, ""),
        "reads the same as another",
    ),
    _on_line(
        "claim-status-against-its-flag",
        "ontology/data/source_claims.tsv",
        "C004-40\t",
        _cell(7, "asserted"),
        "does not follow from the curators' flag",
    ),
    _on_line(
        "drug-acts-through-a-non-target",
        "ontology/data/drugs.drugs.tsv",
        "\tPacritinib\t",
        _cell(5, "JAK3"),
        "indication target 'JAK3' is not one of the drug's targets",
    ),
    _on_line(
        "withdrawn-drug-with-a-use",
        "ontology/data/drugs.drugs.tsv",
        "\tDaclizumab\t",
        _cell(7, "MONDO:1010187"),
        "indications or prophylactic uses of a drug that is not approved",
    ),
    # QC queries
    _on_line(
        "qc-syntax-error", LABEL_QC, "FILTER NOT EXISTS { ?entity rdfs:label", _replace("EXISTS", "EXIST"), "SPARQL"
    ),
    _on_line("qc-undeclared-prefix", LABEL_QC, "?entity a ?type", _replace("?type", "skos:Concept"), "skos:"),
    Corruption("qc-empty-file", "queries/qc/zz-empty.rq", lambda d: b"", "zz-empty.rq:1", "empty"),
    replace(
        _on_line("qc-no-fix-line", LABEL_QC, "# Fix:", lambda line: b"# Hint:" + line[6:], "no '# Fix:' line"),
        where="missing-label.rq:1",
    ),
    Corruption(
        "qc-ask-query", "queries/qc/zz-ask.rq", lambda d: b"# Check: x\n# Fix: y\nASK {}\n", "zz-ask.rq", "SELECT"
    ),
]

#: Mistakes only a gate can see; each runs the whole build, so there is one (shapes: tests/test_shapes.py). It
#: builds a small ontology (conftest.small_ontology) that keeps the rows the gate needs: CXCL8 (IL-8) is both an
#: interleukin and a chemokine.
GATE_CORRUPTIONS = [
    Corruption(
        "disjoint-families",
        EDIT,
        lambda d: d + b"\ncyto:Interleukin owl:disjointWith cyto:Chemokine .\n",
        "reasoning",
        "Interleukin",
        exit_code=1,
        keeps=("CXCL8",),
    ),
]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A build folder with one small published release (the bad builds go into it) and its files' digests.

    What is tested is that a refused build leaves the current release alone, whatever that release holds.
    """
    build_dir = tmp_path_factory.mktemp("release") / "build"
    return build_dir, small_release(build_dir)


def _corrupt(tmp_path: Path, corruption: Corruption, ontology: Path = ONTOLOGY) -> Path:
    """Copies of ``ontology`` (by default the real one), shapes/ and queries/ in ``tmp_path``, one file broken."""
    for tree in TREES:
        shutil.copytree(ontology if tree == "ontology" else ROOT / tree, tmp_path / tree)
    target = tmp_path / corruption.file
    original = target.read_bytes() if target.exists() else b""
    changed = corruption.change(original)
    assert changed != original or not target.exists(), f"{corruption.name} changed nothing"
    target.write_bytes(changed)
    return tmp_path


#: `cytokg build`'s arguments after the build folder: the sources in the current folder (the corrupted copy).
ARGUMENTS = ["--release-date", RELEASE_DATE, "--ontology-dir", "ontology", "--shapes-dir", "shapes"]
ARGUMENTS += ["--queries-dir", "queries"]


def _build(root: Path, build_dir: Path) -> subprocess.CompletedProcess[str]:
    """`python -m cytokg build` in ``root``: a process of its own."""
    command = [sys.executable, "-m", "cytokg", "build", "--build-dir", str(build_dir), *ARGUMENTS]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False, timeout=600)


def _build_here(root: Path, build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> subprocess.CompletedProcess[str]:
    """`cytokg build` in ``root``, run in this process; an exception the command does not handle fails the test."""
    arguments = ["build", "--build-dir", str(build_dir), *ARGUMENTS]
    monkeypatch.chdir(root)
    done = CliRunner().invoke(main, arguments, catch_exceptions=False)
    return subprocess.CompletedProcess(["cytokg", *arguments], done.exit_code, done.stdout, done.stderr)


def _problem_lines(stderr: str) -> list[str]:
    """stderr without the progress lines (``… step``)."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("… ")]


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: c.name)
def test_bad_input_is_one_line(
    release: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corruption: Corruption
) -> None:
    build_dir, before = release
    done = _build_here(_corrupt(tmp_path, corruption), build_dir, monkeypatch)
    lines = _problem_lines(done.stderr)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    line = lines[0]
    assert re.match(rf"error: \S*{re.escape(corruption.where)}(:| )", line), line
    assert corruption.says in line and "(fix: " in line, line
    assert release_digest(build_dir) == before


@pytest.mark.parametrize("corruption", GATE_CORRUPTIONS, ids=lambda c: c.name)
def test_gate_failure_names_the_problem(
    release: tuple[Path, dict[str, str]], tmp_path: Path, corruption: Corruption
) -> None:
    build_dir, before = release
    ontology = small_ontology(tmp_path / "small", corruption.keeps)
    done = _build(_corrupt(tmp_path / "root", corruption, ontology), build_dir)
    assert done.returncode == corruption.exit_code, done.stderr
    assert "Traceback" not in done.stderr
    assert _problem_lines(done.stderr) == [line for line in _problem_lines(done.stderr) if "gate failed" in line]
    problems = [line for line in done.stdout.splitlines() if corruption.says in line]
    assert problems and all("fix: " in line for line in problems), done.stdout
    assert f"{corruption.where:10s} fail" in done.stdout
    assert release_digest(build_dir) == before
