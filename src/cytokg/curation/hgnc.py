"""``cytokg curate hgnc``: copy HGNC's identifiers for the curated genes from a complete-set file into the table."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from pathlib import Path

from cytokg.compile.genes import HGNC_COLUMNS, HgncGene
from cytokg.compile.tables import Row, split_multi
from cytokg.errors import InputError
from cytokg.writing import write_atomic

__all__ = ["curate_hgnc", "load_complete_set"]


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
