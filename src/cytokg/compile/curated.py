"""Load the curated tables of ``ontology/`` and check them against each other."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cytokg.compile.genes import HgncGene, read_hgnc_release, read_hgnc_table
from cytokg.compile.tables import Row, read_table, split_multi
from cytokg.errors import InputError

__all__ = [
    "KEYS",
    "TABLES",
    "TERM_COLUMNS",
    "Curated",
    "ExternalTerm",
    "load_curated",
    "read_parts",
    "table_files",
]

#: Every curated table: file name under ``ontology/data`` → its columns.
TABLES: dict[str, tuple[str, ...]] = {
    "sources.tsv": ("source_id", "kind", "label", "identifier", "date", "note"),
    "gene_products.tsv": ("symbol", "kind", "common_names"),
    "family_memberships.tsv": ("symbol", "class", "source", "evidence", "note"),
    "protein_forms.tsv": ("form_id", "symbol", "kind", "label", "synonyms", "source", "evidence"),
    "cytokine_complexes.tsv": ("complex_id", "label", "subunits", "common_names", "source", "evidence"),
    "receptor_complexes.tsv": (
        "complex_id",
        "label",
        "ligand_binding",
        "signal_transducing",
        "kinases",
        "stats",
        "adaptors",
        "pathway",
        "mechanism",
        "source",
        "evidence",
    ),
    "ligand_receptors.tsv": ("ligand", "complex_id", "source", "evidence"),
    "protein_processing.tsv": ("form_id", "step", "mediators", "from_form", "source", "evidence", "note"),
    "cell_links.tsv": ("symbol", "relation", "cell", "cell_state", "source", "evidence", "note"),
    "cell_link_evidence.tsv": ("symbol", "relation", "cell", "basis", "quote", "cl_release"),
    "source_claims.tsv": ("claim_id", "source", "subject", "relation", "object", "qualifiers", "flag", "status"),
    "claim_diseases.tsv": ("claim_id", "disease"),
    "claim_entities.tsv": ("claim_id", "entity"),
    "claim_facts.tsv": ("claim_id", "subject", "relation", "object", "evidence"),
    "corrections.tsv": ("correction_id", "claims", "contradicted_by", "facts", "label", "text"),
    "ligand_receptor_listings.tsv": ("ligand", "receptor", "listed_by"),
    "ligand_receptor_verdicts.tsv": ("ligand", "receptor", "verdict", "binding", "reason"),
    "process_links.tsv": ("subject", "relation", "process", "source", "evidence", "note"),
    "regulation.tsv": (
        "regulator",
        "relation",
        "target",
        "context",
        "context_cells",
        "source",
        "evidence",
        "note",
    ),
    "signaling_modes.tsv": ("subject", "mode", "source", "evidence", "note"),
    "inflammatory_roles.tsv": ("subject", "role", "context", "source", "evidence", "claim"),
    "disease_associations.tsv": (
        "association_id",
        "subject",
        "disease",
        "kind",
        "specimen",
        "direction",
        "compared_with",
        "timing",
        "correlates_with",
        "source",
        "evidence",
        "claim",
        "note",
    ),
    "drugs.tsv": (
        "drugbank_id",
        "name",
        "chebi_id",
        "mechanism",
        "targets",
        "indication_targets",
        "indications",
        "prevents",
        "approval",
        "source",
        "evidence",
        "note",
    ),
}
#: Columns of the generated external-term table (``cytokg curate terms``).
TERM_COLUMNS = ("id", "label", "parents", "release", "definition", "synonyms")

GENE_KINDS = ("cytokine", "cytokine_subunit", "antagonist", "receptor_chain", "signaling", "other")
CELL_EVIDENCE_BASES = ("axiom", "definition")
SOURCE_KINDS = ("Publication", "ReferenceResource", "CurationPractice")
CURIE_PATTERN = re.compile(r"^((CL|GO|ECO|MONDO|UBERON|RO|BFO|HP|PR):[0-9]{7,8}|CHEBI:[0-9]{1,7})$")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ExternalTerm:
    """An external ontology term CytoKG uses, with the label, definition and exact synonyms its reference release
    gives."""

    curie: str
    label: str
    parents: tuple[str, ...]
    release: str
    definition: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass
class Curated:
    """All curated tables, loaded and cross-checked."""

    root: Path
    hgnc: dict[str, HgncGene]
    hgnc_release: str
    terms: dict[str, ExternalTerm]
    tables: dict[str, list[Row]] = field(default_factory=dict)

    def rows(self, name: str) -> list[Row]:
        """The rows of one curated table."""
        return self.tables[name]

    def gene(self, row: Row, column: str, kinds: Iterable[str] = GENE_KINDS) -> HgncGene:
        """Resolve the symbol in ``row[column]`` to its HGNC gene, checking its kind."""
        symbol = row.required(column)
        kind = self.gene_kinds.get(symbol)
        if kind is None:
            raise row.error(
                f"unknown gene symbol '{symbol}' in column '{column}'",
                "add it to ontology/data/gene_products.tsv, then run `cytokg curate hgnc`",
            )
        allowed = tuple(kinds)
        if kind not in allowed:
            raise row.error(f"'{symbol}' is a {kind}, expected one of {allowed}", "use a gene of the right kind")
        return self.hgnc[symbol]

    @property
    def gene_kinds(self) -> dict[str, str]:
        """Map from symbol to kind (cytokine, antagonist, receptor_chain, signaling)."""
        return {row["symbol"]: row["kind"] for row in self.tables["gene_products.tsv"]}

    def source(self, row: Row, column: str = "source") -> str:
        """Check that ``row[column]`` names a source in sources.tsv and return it."""
        key = row.required(column)
        if key not in {r["source_id"] for r in self.tables["sources.tsv"]}:
            raise row.error(f"unknown source '{key}'", "add it to ontology/data/sources.tsv")
        return key

    def term(self, row: Row, column: str, prefix: str | None = None) -> str:
        """Check that ``row[column]`` is a known external term CURIE and return it."""
        curie = row.required(column)
        if not CURIE_PATTERN.match(curie):
            raise row.error(f"'{curie}' is not a valid ontology CURIE", "write it as PREFIX:0000000")
        if prefix and not curie.startswith(prefix + ":"):
            raise row.error(f"'{curie}' is not a {prefix} term", f"use a {prefix} identifier")
        if curie not in self.terms:
            raise row.error(
                f"'{curie}' is not in ontology/imports/external_terms.tsv",
                "check the identifier, then run `cytokg curate terms --refdata PATH`",
            )
        return curie

    def term_list(self, row: Row, column: str, prefix: str) -> list[str]:
        """Check each ``|``-separated CURIE in ``row[column]`` like :meth:`term`; an empty cell gives none."""
        return [
            self.term(Row(row.path, row.line, {**row.values, column: curie}), column, prefix)
            for curie in split_multi(row[column])
        ]


def read_parts(data: Path, name: str) -> list[Row]:
    """Every row of one table and its parts, each checked on its own (curation commands use this)."""
    return [row for path in table_files(data, name) for row in read_table(path, TABLES[name])]


def table_files(data: Path, name: str) -> list[Path]:
    """A table's files: ``name`` itself plus ``<stem>.<part>.tsv`` parts (one per family), sorted."""
    stem = name.removesuffix(".tsv")
    return [data / name, *sorted(data.glob(f"{stem}.*.tsv"))]


def _load_terms(imports: Path) -> dict[str, ExternalTerm]:
    terms: dict[str, ExternalTerm] = {}
    for row in read_table(imports / "external_terms.tsv", TERM_COLUMNS):
        curie = row.required("id")
        if not CURIE_PATTERN.match(curie):
            raise row.error(f"'{curie}' is not a valid ontology CURIE", "write it as PREFIX:0000000")
        terms[curie] = ExternalTerm(
            curie,
            row.required("label"),
            tuple(split_multi(row["parents"])),
            row.required("release"),
            row["definition"],
            tuple(split_multi(row["synonyms"])),
        )
    return terms


#: The key column of each table with one row per key; keys become IRIs, so they follow the ID policy.
KEYS = {
    "sources.tsv": "source_id",
    "gene_products.tsv": "symbol",
    "protein_forms.tsv": "form_id",
    "receptor_complexes.tsv": "complex_id",
    "source_claims.tsv": "claim_id",
    "corrections.tsv": "correction_id",
    "disease_associations.tsv": "association_id",
    "drugs.tsv": "drugbank_id",
    "cytokine_complexes.tsv": "complex_id",
}
_IDENTIFIER = re.compile(r"^(PMID:[0-9]+|DOI:10\..+)$")
_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


def _check_keys(rows: list[Row], column: str) -> None:
    seen: dict[str, Row] = {}
    for row in rows:
        key = row.required(column)
        if not KEY_PATTERN.match(key):
            raise row.error(f"{column} '{key}' breaks the ID policy", "use letters, digits, '.', '_' and '-'")
        if key in seen:
            first = seen[key]
            where = f"line {first.line}" if first.path == row.path else f"{first.path.name}:{first.line}"
            raise row.error(f"duplicate {column} '{key}' (first on {where})", "keep one row per key")
        seen[key] = row


def _check_no_repeats(rows: list[Row]) -> None:
    seen: dict[tuple[str, ...], Row] = {}
    for row in rows:
        values = tuple(row.values.values())
        if values in seen:
            first = seen[values]
            raise row.error(f"row repeats {first.path.name}:{first.line}", "delete one of the two rows")
        seen[values] = row


def _check_date(row: Row) -> None:
    """A source date is YYYY, YYYY-MM or YYYY-MM-DD, and a real one."""
    text = row["date"]
    if not text:
        return
    valid = bool(_DATE.match(text))
    if valid:
        year, month, day = ([int(part) for part in text.split("-")] + [1, 1])[:3]
        try:
            dt.date(year, month, day)
        except ValueError:
            valid = False
    if not valid:
        raise row.error(f"'{text}' is not a valid date", "write YYYY-MM-DD (or YYYY-MM, or YYYY)")


def _check_cell_evidence(curated: Curated) -> None:
    """Each row of cell_link_evidence.tsv supports a curated cell link, once, by an axiom or a definition, and was read
    from the Cell Ontology release that source ``cell-ontology`` names."""
    links = {(r["symbol"], r["relation"], r["cell"]) for r in curated.rows("cell_links.tsv")}
    dates = {r["source_id"]: r["date"] for r in curated.rows("sources.tsv")}
    seen: set[tuple[str, str, str]] = set()
    for row in curated.rows("cell_link_evidence.tsv"):
        key = (row.required("symbol"), row.required("relation"), row.required("cell"))
        if key not in links:
            raise row.error(
                f"cell link '{' '.join(key)}' is not in cell_links*.tsv",
                "curate the link first, then run `cytokg curate cell-evidence`",
            )
        if key in seen:
            raise row.error(f"cell link '{' '.join(key)}' has two rows", "run `cytokg curate cell-evidence`")
        seen.add(key)
        if row.required("basis") not in CELL_EVIDENCE_BASES:
            raise row.error(f"unknown basis '{row['basis']}'", f"use one of {CELL_EVIDENCE_BASES}")
        row.required("quote")
        if row.required("cl_release") != dates.get("cell-ontology"):
            raise row.error(
                f"cl_release '{row['cl_release']}' is not the date of source 'cell-ontology' in sources.tsv",
                "run `cytokg curate cell-evidence` and date the source row after the same Cell Ontology",
            )


def load_curated(ontology_dir: Path) -> Curated:
    """Read and cross-check every curated table under ``ontology_dir``."""
    data = ontology_dir / "data"
    hgnc_path = data / "hgnc_genes.tsv"
    hgnc_rows = read_hgnc_table(hgnc_path)
    curated = Curated(
        root=ontology_dir,
        hgnc={symbol: gene for symbol, (_, gene) in hgnc_rows.items()},
        hgnc_release=read_hgnc_release(hgnc_path),
        terms=_load_terms(ontology_dir / "imports"),
    )
    known = {hgnc_path}
    for name, columns in TABLES.items():
        files = table_files(data, name)
        known.update(files)
        curated.tables[name] = [row for path in files for row in read_table(path, columns)]
        _check_no_repeats(curated.tables[name])
    for path in sorted(set(data.glob("*.tsv")) - known):
        raise InputError(
            path,
            None,
            "not a curated table or a part of one",
            "name it TABLE.PART.tsv after a table in docs/curation.md",
        )
    for name, column in KEYS.items():
        _check_keys(curated.rows(name), column)
    for row in curated.rows("sources.tsv"):
        if row.required("kind") not in SOURCE_KINDS:
            raise row.error(f"unknown source kind '{row['kind']}'", f"use one of {SOURCE_KINDS}")
        _check_date(row)
        if row["identifier"] and not _IDENTIFIER.match(row["identifier"]):
            raise row.error(f"identifier '{row['identifier']}' is malformed", "write PMID:12345 or DOI:10.xxxx/yyyy")
    _check_cell_evidence(curated)
    for row in curated.rows("gene_products.tsv"):
        if row.required("kind") not in GENE_KINDS:
            raise row.error(f"unknown kind '{row['kind']}'", f"use one of {GENE_KINDS}")
        if row["symbol"] not in curated.hgnc:
            raise row.error(
                f"'{row['symbol']}' has no identifiers in ontology/data/hgnc_genes.tsv",
                "run `cytokg curate hgnc PATH/hgnc_complete_set.txt`",
            )
    return curated
