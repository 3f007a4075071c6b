"""Curate the external ontology terms CytoKG uses into ``ontology/imports/external_terms.tsv``.

Labels and parents come from reference data, never from a curator's keyboard:
CL, UBERON, MONDO and ChEBI from the ``cellxgene-ontology-guide`` package; RO, ECO and GO
from ``../shared/refdata``; GO terms missing there from the reviewed ``go_reviewed.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from cytokg.compile.curated import TERM_COLUMNS, ExternalTerm
from cytokg.compile.tables import read_table
from cytokg.curation.obo import OboTerm, read_obo
from cytokg.errors import InputError
from cytokg.writing import write_atomic

__all__ = ["collect_curies", "curate_terms"]

_CURIE = re.compile(r"\b(CL|GO|ECO|MONDO|UBERON|RO|BFO):([0-9]{7,8})\b|\b(CHEBI):([0-9]{1,7})\b")
_OBO_IRI = re.compile(r"(?:obolibrary\.org/obo/|\bobo:)(CL|GO|ECO|MONDO|UBERON|RO|BFO|CHEBI)_([0-9]{7,8})\b")
_CELLXGENE = ("CL", "UBERON", "MONDO", "CHEBI")


def collect_curies(ontology_dir: Path) -> set[str]:
    """Every external CURIE used in the edit file and the curated tables."""
    found: set[str] = set()
    for path in sorted(ontology_dir.glob("*.ttl")) + sorted((ontology_dir / "data").glob("*.tsv")):
        text = path.read_text(encoding="utf-8")
        found.update(f"{p or q}:{n or m}" for p, n, q, m in _CURIE.findall(text))
        found.update(f"{p}:{n}" for p, n in _OBO_IRI.findall(text))
    return found


def _cellxgene_terms(curies: Iterable[str]) -> dict[str, ExternalTerm]:
    try:
        from cellxgene_ontology_guide.ontology_parser import OntologyParser
    except ImportError as error:
        raise InputError(
            "cellxgene-ontology-guide", None, "package not installed", "pip install 'cytokg[test]'"
        ) from error

    parser = OntologyParser()
    versions = parser.cxg_schema.supported_ontologies
    package = "cellxgene-ontology-guide"
    result: dict[str, ExternalTerm] = {}
    todo = sorted(curies)
    while todo:
        curie = todo.pop()
        if curie in result:
            continue
        prefix = curie.split(":")[0]
        if not parser.is_valid_term_id(curie):
            raise InputError("ontology/", None, f"{curie} is not a {prefix} term", "check the identifier")
        if parser.is_term_deprecated(curie):
            replacement = parser.get_term_replacement(curie)
            raise InputError(
                "ontology/", None, f"{curie} is obsolete in {prefix}", f"use {replacement or 'a current term'}"
            )
        parents = tuple(sorted(parser.get_term_parents(curie)))
        release = f"{prefix} {versions[prefix]['version']} via {package}"
        result[curie] = ExternalTerm(curie, parser.get_term_label(curie), parents, release)
        todo.extend(p for p in parents if p not in result)
    return result


def _obo_terms(curies: Iterable[str], path: Path, deep: bool) -> dict[str, ExternalTerm]:
    version, stanzas = read_obo(path)
    release = f"{path.name} {version}"
    result: dict[str, ExternalTerm] = {}
    todo = sorted(curies)
    while todo:
        curie = todo.pop()
        if curie in result:
            continue
        term: OboTerm | None = stanzas.get(curie)
        if term is None:
            raise InputError(path, None, f"{curie} is not in {path.name}", "check the identifier")
        if term.obsolete:
            raise InputError(path, None, f"{curie} ({term.name}) is obsolete", "use a current term")
        parents = tuple(sorted(term.parents)) if deep else ()
        result[curie] = ExternalTerm(curie, term.name, parents, release)
        todo.extend(p for p in parents if p not in result)
    return result


def _go_terms(curies: set[str], refdata: Path, imports: Path) -> dict[str, ExternalTerm]:
    _, partial = read_obo(next((refdata / "go_partial").glob("*.obo")))
    reviewed = {row["id"]: row for row in read_table(imports / "go_reviewed.tsv", ("id", "label", "reason"))}
    result: dict[str, ExternalTerm] = {}
    for curie in sorted(curies):
        if curie in partial and partial[curie].obsolete:
            raise InputError(imports, None, f"{curie} ({partial[curie].name}) is obsolete in GO", "use a current term")
        if curie in partial:
            result[curie] = ExternalTerm(curie, partial[curie].name, (), "GO via go_partial (MONDO import 2021-08-03)")
        elif curie in reviewed:
            result[curie] = ExternalTerm(curie, reviewed[curie]["label"], (), "GO, reviewed in go_reviewed.tsv")
        else:
            raise InputError(
                imports / "go_reviewed.tsv",
                None,
                f"{curie} is in neither go_partial nor go_reviewed.tsv",
                "review the term against GO and add it to go_reviewed.tsv with a reason",
            )
    return result


def curate_terms(ontology_dir: Path, refdata: Path) -> int:
    """Resolve every external term in use and write the imports table; return its size."""
    curies = collect_curies(ontology_dir)
    by_prefix: dict[str, set[str]] = {}
    for curie in curies:
        by_prefix.setdefault(curie.split(":")[0], set()).add(curie)
    terms: dict[str, ExternalTerm] = {}
    terms.update(_cellxgene_terms(c for p in _CELLXGENE for c in by_prefix.get(p, ())))
    terms.update(_obo_terms(by_prefix.get("ECO", set()), refdata / "eco" / "eco.obo", deep=False))
    ro = by_prefix.get("RO", set()) | by_prefix.get("BFO", set())
    terms.update(_obo_terms(ro, refdata / "ro" / "ro.obo", deep=False))
    terms.update(_go_terms(by_prefix.get("GO", set()), refdata, ontology_dir / "imports"))
    lines = ["\t".join(TERM_COLUMNS)]
    for curie in sorted(terms):
        term = terms[curie]
        lines.append("\t".join((curie, term.label, "|".join(term.parents), term.release)))
    header = "# Generated by `cytokg curate terms`; do not edit. Labels and parents from reference data.\n"
    write_atomic(ontology_dir / "imports" / "external_terms.tsv", (header + "\n".join(lines) + "\n").encode())
    return len(terms)
