"""Read the committed HGNC gene table (``ontology/data/hgnc_genes.tsv``): symbols and identifiers, checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cytokg.compile.tables import Row, read_table, split_multi
from cytokg.reading import read_text

__all__ = ["HGNC_COLUMNS", "HgncGene", "read_hgnc_release", "read_hgnc_table"]

#: Columns of the committed identifier table, in order.
HGNC_COLUMNS = (
    "symbol",
    "hgnc_id",
    "name",
    "entrez_id",
    "ensembl_gene_id",
    "uniprot_ids",
    "previous_symbols",
    "alias_symbols",
    "gene_groups",
)


@dataclass(frozen=True)
class HgncGene:
    """One gene as HGNC records it."""

    symbol: str
    hgnc_id: str
    name: str
    entrez_id: str
    ensembl_gene_id: str
    uniprot_ids: tuple[str, ...]
    previous_symbols: tuple[str, ...]
    alias_symbols: tuple[str, ...]
    gene_groups: tuple[str, ...]


#: What each identifier column must look like (HGNC's own patterns), with an example.
_PATTERNS = {
    "symbol": (re.compile(r"^[A-Z0-9][A-Za-z0-9@#._-]*$"), "IL6"),
    "hgnc_id": (re.compile(r"^HGNC:[1-9][0-9]*$"), "HGNC:6018"),
    "entrez_id": (re.compile(r"^([1-9][0-9]*)?$"), "3569"),
    "ensembl_gene_id": (re.compile(r"^(ENSG[0-9]{11})?$"), "ENSG00000136244"),
}
_UNIPROT = re.compile(r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2})$")


def _check_identifiers(row: Row) -> None:
    for column, (pattern, example) in _PATTERNS.items():
        if not pattern.match(row[column]):
            raise row.error(
                f"{column} '{row[column]}' is malformed (expected like {example})",
                "copy it from HGNC, or rerun `cytokg curate hgnc PATH/hgnc_complete_set.txt`",
            )
    for accession in split_multi(row["uniprot_ids"]):
        if not _UNIPROT.match(accession):
            raise row.error(
                f"UniProt accession '{accession}' is malformed (expected like P05231)",
                "copy it from HGNC or UniProt; separate several with '|'",
            )


def read_hgnc_table(path: Path) -> dict[str, tuple[Row, HgncGene]]:
    """Read the committed identifier table into a map from symbol to (row, gene)."""
    table: dict[str, tuple[Row, HgncGene]] = {}
    for row in read_table(path, HGNC_COLUMNS):
        _check_identifiers(row)
        if row["symbol"] in table:
            first = table[row["symbol"]][0].line
            raise row.error(f"duplicate symbol '{row['symbol']}' (first on line {first})", "keep one row per gene")
        gene = HgncGene(
            symbol=row.required("symbol"),
            hgnc_id=row.required("hgnc_id"),
            name=row.required("name"),
            entrez_id=row["entrez_id"],
            ensembl_gene_id=row["ensembl_gene_id"],
            uniprot_ids=tuple(split_multi(row["uniprot_ids"])),
            previous_symbols=tuple(split_multi(row["previous_symbols"])),
            alias_symbols=tuple(split_multi(row["alias_symbols"])),
            gene_groups=tuple(split_multi(row["gene_groups"])),
        )
        table[gene.symbol] = (row, gene)
    return table


def read_hgnc_release(path: Path) -> str:
    """Return the release note line the curation command wrote at the top of the table."""
    first = read_text(path).split("\n", 1)[0].strip()
    return first.removeprefix("# release: ") if first.startswith("# release: ") else "unknown release"
