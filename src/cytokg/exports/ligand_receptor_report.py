"""``reports/ligand-receptor.md``: how CytoKG's bindings compare with the expert ligand-receptor resources.

The gold set is every listed pair with a cytokine ligand that at least two of the five expert resources agree
on. CytoKG is scored on it; each resource is scored on the pairs at least two *other* resources agree on, so
that no resource votes for itself. A pair is *found* when a binding of the same ligand shares a receptor chain,
and found *with the same chains* when the chain sets are equal.
"""

from __future__ import annotations

from collections.abc import Iterable

from cytokg.compile.curated import Curated
from cytokg.compile.listings import EXPERT_RESOURCES, Binding, Reconciled, bindings, pair_key

__all__ = ["ligand_receptor_report"]

_NAMES = {
    "cellphonedb": "CellPhoneDB",
    "cellchatdb": "CellChatDB",
    "icellnet": "ICELLNET",
    "kirouac2010": "Kirouac 2010",
    "guide2pharma": "Guide to Pharmacology",
}
Pair = tuple[frozenset[str], frozenset[str]]


def _pair(key: tuple[str, str]) -> Pair:
    return frozenset(key[0].split("_")), frozenset(key[1].split("_"))


def _score(gold: set[Pair], have: Iterable[Pair]) -> tuple[float, float]:
    by_ligand: dict[frozenset[str], list[frozenset[str]]] = {}
    for ligand, receptor in have:
        by_ligand.setdefault(ligand, []).append(receptor)
    shared = sum(1 for ligand, receptor in gold if any(r & receptor for r in by_ligand.get(ligand, ())))
    same = sum(1 for ligand, receptor in gold if receptor in by_ligand.get(ligand, ()))
    return shared / len(gold) if gold else 0.0, same / len(gold) if gold else 0.0


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _own_pairs(curated: Curated, reconciled: list[Reconciled], ours: list[Binding]) -> tuple[int, int]:
    """CytoKG's distinct pairs, and how many are listed by two or more resources or carry a curator verdict."""
    votes: dict[frozenset[str], list[tuple[frozenset[str], int]]] = {}
    for item in reconciled:
        ligand, receptor = _pair(item.key)
        votes.setdefault(ligand, []).append((receptor, len(item.resources)))
    rows = curated.rows("ligand_receptor_verdicts.tsv")
    verdicts = {pair_key(row["ligand"].split("_"), row["receptor"].split("_")) for row in rows}
    pairs = {(b.ligand_genes, b.receptor_genes) for b in ours}
    backed = 0
    for ligand, receptor in pairs:
        most = max((n for listed, n in votes.get(ligand, ()) if listed <= receptor), default=0)
        if most >= 2 or pair_key(ligand, receptor) in verdicts:
            backed += 1
    return len(pairs), backed


def ligand_receptor_report(curated: Curated, reconciled: list[Reconciled]) -> str:
    """The Markdown report: scores on the gold set, CytoKG's own pairs, cytokines without a receptor."""
    listed = {_pair(item.key): set(item.resources) for item in reconciled}
    ours = bindings(curated)
    gold = {pair for pair, resources in listed.items() if len(resources) >= 2}
    experts = ", ".join(_NAMES[name] for name in EXPERT_RESOURCES)
    lines = [
        "# Ligand-receptor pairs: CytoKG and the expert resources",
        "",
        f"Pairs with a cytokine ligand: {len(listed)}; gold set: {len(gold)} (listed by two or more of {experts}).",
        "",
        "| | gold pairs | found (shares a receptor chain) | found with the same chains |",
        "|---|---|---|---|",
    ]
    shared, same = _score(gold, [(b.ligand_genes, b.receptor_genes) for b in ours])
    lines.append(f"| CytoKG | {len(gold)} | {_percent(shared)} | {_percent(same)} |")
    for name in ("cellphonedb", "cellchatdb", "icellnet"):
        others = {pair for pair, resources in listed.items() if len(resources - {name}) >= 2}
        shared, same = _score(others, [pair for pair, resources in listed.items() if name in resources])
        row = f"{_NAMES[name]} (on pairs two others agree on)"
        lines.append(f"| {row} | {len(others)} | {_percent(shared)} | {_percent(same)} |")
    declined = sum(1 for item in reconciled if not item.asserted and _pair(item.key) in gold)
    lines.append("")
    lines.append(f"Gold pairs CytoKG declines, each with its reason on the listing: {declined}.")
    total, backed = _own_pairs(curated, reconciled, ours)
    asserted = sum(1 for item in reconciled if item.asserted)
    bound = {gene for b in ours for gene in b.ligand_genes}
    missing = sorted(s for s, kind in curated.gene_kinds.items() if kind == "cytokine" and s not in bound)
    lines += [
        "",
        (
            f"CytoKG's own pairs: {total}; listed by two or more resources or carrying a curator verdict: "
            f"{backed} ({_percent(backed / total if total else 0.0)})."
        ),
        (
            f"Verdicts on the {len(reconciled)} listed pairs: {asserted} asserted, {len(reconciled) - asserted} "
            "not asserted (each with its reason in `ontology/data/ligand_receptor_verdicts*.tsv` and on the page of "
            "its listing)."
        ),
        "",
        f"Cytokines without a binding ({len(missing)}): {', '.join(missing) or 'none'}.",
        "",
    ]
    return "\n".join(lines)
