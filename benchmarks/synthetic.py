"""A deterministic synthetic extension of the CytoKG graph, for the scale series.

The output is the real graph (``build/cytokg.nt``) followed by synthetic *units* until the target
number of triples is reached. A unit has the shape of the real data: a cytokine with names, cells and
processes; its own receptor chain and a receptor complex that shares a second chain with 19 other
units; three disease associations with kind, direction, evidence and source; and ``owl:Axiom``
evidence nodes for its bindings and cells. Every synthetic IRI and label says it is synthetic
(``SYN``, "benchmark fixture"); diseases, cells, GO processes and ECO codes are drawn from the real graph.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Pools", "generate", "read_pools", "unit_triples"]

BASE = "https://w3id.org/cytokg/"
VOCAB = BASE + "vocab/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
SOURCE = "<http://purl.org/dc/terms/source>"
OWL = "http://www.w3.org/2002/07/owl#"
SYNTHETIC_SOURCE = f"<{BASE}source/synthetic-benchmark-fixture>"
#: Units that share one synthetic signal-transducing chain (as gp130 is shared by the IL-6 family).
GROUP = 20


def _v(name: str) -> str:
    return f"<{VOCAB}{name}>"


@dataclass(frozen=True)
class Pools:
    """Real IRIs (N-Triples terms) the synthetic units point at, sorted so the output is deterministic."""

    families: list[str]
    cells: list[str]
    processes: list[str]
    diseases: list[str]
    kinds: list[str]
    directions: list[str]
    evidence: list[str]


def read_pools(ntriples: Path) -> tuple[Pools, int]:
    """Collect the pools from the real graph; also return its number of triples."""
    wanted = {
        "families": SUBCLASS,
        "cells": _v("producedBy"),
        "processes": _v("positivelyRegulates"),
        "diseases": _v("associatedDisease"),
        "kinds": _v("associationKind"),
        "directions": _v("direction"),
        "evidence": _v("evidence"),
    }
    found: dict[str, set[str]] = {key: set() for key in wanted}
    count = 0
    with ntriples.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            count += 1
            subject, predicate, rest = line.split(" ", 2)
            term = rest.rstrip().removesuffix(" .")
            for key, iri in wanted.items():
                if predicate != iri:
                    continue
                if key == "families":
                    if term == _v("Cytokine") and subject.startswith(f"<{VOCAB}"):
                        found[key].add(subject)
                elif term.startswith("<"):
                    found[key].add(term)
    empty = [key for key, values in found.items() if not values]
    if empty:
        raise ValueError(f"{ntriples}: no {', '.join(empty)} found; is this a CytoKG build?")
    return Pools(**{key: sorted(values) for key, values in found.items()}), count


def _axiom(node: str, source: str, prop: str, target: str, evidence: str) -> list[str]:
    return [
        f"{node} {RDF_TYPE} <{OWL}Axiom> .",
        f"{node} <{OWL}annotatedSource> {source} .",
        f"{node} <{OWL}annotatedProperty> {prop} .",
        f"{node} <{OWL}annotatedTarget> {target} .",
        f"{node} {SOURCE} {SYNTHETIC_SOURCE} .",
        f"{node} {_v('evidence')} {evidence} .",
    ]


def unit_triples(index: int, pools: Pools, rng: random.Random) -> list[str]:
    """The N-Triples lines of synthetic unit ``index`` (about 80 triples)."""
    individual = f"<{OWL}NamedIndividual>"
    cytokine, chain = f"<{BASE}protein/SYN_{index}>", f"<{BASE}protein/SYNR_{index}>"
    shared, complex_ = f"<{BASE}protein/SYNS_{index // GROUP}>", f"<{BASE}complex/SYN-{index}>"
    evidence = rng.choice(pools.evidence)
    lines: list[str] = []
    if index % GROUP == 0:
        lines += [
            f"{shared} {RDF_TYPE} {individual} .",
            f"{shared} {RDF_TYPE} {_v('GeneProduct')} .",
            f'{shared} {LABEL} "synthetic shared receptor chain {index // GROUP} (benchmark fixture)"@en .',
            f'{shared} {_v("hgncSymbol")} "SYNS{index // GROUP}" .',
        ]
    cells = rng.sample(pools.cells, 2)
    lines += [
        f"{cytokine} {RDF_TYPE} {individual} .",
        f"{cytokine} {RDF_TYPE} {_v('Cytokine')} .",
        f"{cytokine} {RDF_TYPE} {_v('GeneProduct')} .",
        f"{cytokine} {RDF_TYPE} {rng.choice(pools.families)} .",
        f'{cytokine} {LABEL} "synthetic cytokine {index} (benchmark fixture)"@en .',
        f'{cytokine} {_v("hgncSymbol")} "SYN{index}" .',
        f'{cytokine} {_v("commonName")} "SYN-{index}"@en .',
        f'{cytokine} {_v("aliasSymbol")} "SYNA{index}" .',
        f"{cytokine} {SOURCE} {SYNTHETIC_SOURCE} .",
        *(f"{cytokine} {_v('producedBy')} {cell} ." for cell in cells),
        *(f"{cytokine} {_v('positivelyRegulates')} {process} ." for process in rng.sample(pools.processes, 2)),
        f"{chain} {RDF_TYPE} {individual} .",
        f"{chain} {RDF_TYPE} {_v('GeneProduct')} .",
        f'{chain} {LABEL} "synthetic receptor chain {index} (benchmark fixture)"@en .',
        f'{chain} {_v("hgncSymbol")} "SYNR{index}" .',
        f"{complex_} {RDF_TYPE} {individual} .",
        f"{complex_} {RDF_TYPE} {_v('ReceptorComplex')} .",
        f'{complex_} {LABEL} "synthetic receptor complex {index} (benchmark fixture)"@en .',
        f"{complex_} {_v('hasSubunit')} {chain} .",
        f"{complex_} {_v('hasSubunit')} {shared} .",
        f"{complex_} {_v('hasLigandBindingSubunit')} {chain} .",
        f"{complex_} {_v('hasSignalTransducingSubunit')} {shared} .",
        f"{cytokine} {_v('hasReceptor')} {complex_} .",
    ]
    for number in range(3):
        association = f"<{BASE}association/SYN-A-{index}-{number}>"
        lines += [
            f"{association} {RDF_TYPE} {individual} .",
            f"{association} {RDF_TYPE} {_v('DiseaseAssociation')} .",
            f'{association} {LABEL} "synthetic association {index}-{number} (benchmark fixture)"@en .',
            f"{association} {_v('associatedEntity')} {cytokine} .",
            f"{association} {_v('associatedDisease')} {rng.choice(pools.diseases)} .",
            f"{association} {_v('associationKind')} {rng.choice(pools.kinds)} .",
            f"{association} {_v('direction')} {rng.choice(pools.directions)} .",
            f"{association} {_v('evidence')} {evidence} .",
            f"{association} {SOURCE} {SYNTHETIC_SOURCE} .",
        ]
    facts = [
        (cytokine, _v("hasReceptor"), complex_),
        (complex_, _v("hasSubunit"), chain),
        (complex_, _v("hasSubunit"), shared),
        *((cytokine, _v("producedBy"), cell) for cell in cells),
    ]
    for number, (subject, prop, target) in enumerate(facts):
        lines += _axiom(f"_:syn{index}x{number}", subject, prop, target, evidence)
    return lines


def _units(pools: Pools, seed: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    index = 0
    while True:
        yield unit_triples(index, pools, rng)
        index += 1


def generate(real: Path, target: int, out: Path, seed: int = 9) -> int:
    """Write the real graph plus synthetic units to ``out`` until it holds at least ``target`` triples.

    :returns: the number of triples written (the real graph's count if it already reaches ``target``).
    """
    pools, count = read_pools(real)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with partial.open("w", encoding="utf-8") as stream:
        with real.open(encoding="utf-8") as lines:
            for line in lines:
                stream.write(line)
        for unit in _units(pools, seed):
            if count >= target:
                break
            stream.write("\n".join(unit) + "\n")
            count += len(unit)
    partial.replace(out)
    return count


def main() -> None:
    """``python -m benchmarks.synthetic build/cytokg.nt 1000000 out.nt``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", type=Path, help="the real graph, N-Triples (build/cytokg.nt)")
    parser.add_argument("triples", type=int, help="target size in triples")
    parser.add_argument("out", type=Path, help="where to write the N-Triples")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    count = generate(args.real, args.triples, args.out, args.seed)
    print(f"wrote {count} triples to {args.out}")  # noqa: T201


if __name__ == "__main__":
    main()
