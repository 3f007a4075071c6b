"""Curate gene identifiers from an HGNC complete-set file into the committed table."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .reading import read_text
from .tables import Row, read_table, split_multi
from .writing import write_atomic

__all__ = ["HGNC_COLUMNS", "HgncGene", "curate_hgnc", "read_hgnc_release", "read_hgnc_table"]

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


def _from_complete_set(record: dict[str, str]) -> HgncGene:
    return HgncGene(
        symbol=record["symbol"],
        hgnc_id=record["hgnc_id"],
        name=record["name"],
        entrez_id=record["entrez_id"],
        ensembl_gene_id=record["ensembl_gene_id"],
        uniprot_ids=tuple(split_multi(record["uniprot_ids"])),
        previous_symbols=tuple(split_multi(record["prev_symbol"])),
        alias_symbols=tuple(split_multi(record["alias_symbol"])),
        gene_groups=tuple(split_multi(record["gene_group"])),
    )


def load_complete_set(path: Path) -> dict[str, HgncGene]:
    """Read HGNC's complete set (TSV) into a map from approved symbol to gene."""
    if not path.exists():
        raise InputError(path, None, "HGNC complete set not found", "pass hgnc_complete_set.txt")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = {"hgnc_id", "symbol", "uniprot_ids", "prev_symbol"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(path, 1, f"not an HGNC complete set: no {sorted(missing)}", "pass hgnc_complete_set.txt")
        return {record["symbol"]: _from_complete_set(record) for record in reader}


def _release_note(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with path.open(encoding="utf-8", newline="") as handle:
        dates = [r.get("date_modified", "") for r in csv.DictReader(handle, delimiter="\t")]
    latest = max((d for d in dates if d), default="unknown")
    return f"# release: HGNC complete set, latest date_modified {latest}, sha256 {digest[:16]}"


def curate_hgnc(complete_set: Path, wanted: Iterable[Row], output: Path) -> int:
    """Write ``output`` with HGNC's identifiers for each wanted symbol; return the row count.

    :param complete_set: HGNC's ``hgnc_complete_set.txt``.
    :param wanted: curated rows whose ``symbol`` column names the genes to look up.
    :param output: the committed identifier table to (re)write.
    """
    genes = load_complete_set(complete_set)
    by_previous: dict[str, str] = {}
    for gene in genes.values():
        for old in gene.previous_symbols + gene.alias_symbols:
            by_previous.setdefault(old, gene.symbol)
    chosen: dict[str, HgncGene] = {}
    for row in wanted:
        symbol = row["symbol"]
        if symbol in genes:
            chosen[symbol] = genes[symbol]
            continue
        hint = by_previous.get(symbol)
        fix = f"HGNC's approved symbol is now '{hint}'" if hint else "use the approved HGNC symbol"
        raise row.error(f"'{symbol}' is not an approved HGNC symbol", fix)
    lines = [_release_note(complete_set), "\t".join(HGNC_COLUMNS)]
    for symbol in sorted(chosen):
        gene = chosen[symbol]
        cells = [
            gene.symbol,
            gene.hgnc_id,
            gene.name,
            gene.entrez_id,
            gene.ensembl_gene_id,
            "|".join(gene.uniprot_ids),
            "|".join(gene.previous_symbols),
            "|".join(gene.alias_symbols),
            "|".join(gene.gene_groups),
        ]
        lines.append("\t".join(cells))
    write_atomic(output, ("\n".join(lines) + "\n").encode("utf-8"))
    return len(chosen)


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
