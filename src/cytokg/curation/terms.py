"""Curate the external ontology terms CytoKG uses into ``ontology/imports/external_terms.tsv``.

Labels, definitions, exact synonyms and parents come from reference data, never from a curator's keyboard:
CL, UBERON, MONDO and ChEBI from the ``cellxgene-ontology-guide`` package; RO, ECO and GO
from ``../shared/refdata``; GO terms missing there from the reviewed ``go_reviewed.tsv`` (whose aspect, parents and
definition ``cytokg curate go-reviewed`` fills from a GO release). Each term comes with its ancestors up to its
ontology's upper class, so the imported terms form a tree, as an ODK import module does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from cytokg.compile.curated import TERM_COLUMNS, ExternalTerm
from cytokg.compile.tables import read_table, split_multi
from cytokg.curation.go_release import GO_REVIEWED_COLUMNS
from cytokg.curation.obo import OboTerm, read_obo
from cytokg.errors import InputError
from cytokg.writing import write_atomic

__all__ = ["collect_curies", "curate_terms"]

_CURIE = re.compile(r"\b(CL|GO|ECO|MONDO|UBERON|RO|BFO):([0-9]{7,8})\b|\b(CHEBI):([0-9]{1,7})\b")
_OBO_IRI = re.compile(r"(?:obolibrary\.org/obo/|\bobo:)(CL|GO|ECO|MONDO|UBERON|RO|BFO|CHEBI)_([0-9]{7,8})\b")
_CELLXGENE = ("CL", "UBERON", "MONDO", "CHEBI")
#: The package's UBERON ancestors mix is_a and part_of (blood's parents are haemolymphatic fluid and hematopoietic
#: system), so a UBERON term is placed directly under anatomical entity, which it is a subclass of.
_ANATOMICAL_ENTITY = "UBERON:0001062"
#: The upper classes of GO's aspects: a GO term's aspect is the one its is_a ancestors reach.
GO_ASPECTS = {
    "GO:0008150": "biological_process",
    "GO:0003674": "molecular_function",
    "GO:0005575": "cellular_component",
}


def _clean(text: str) -> str:
    """One line of text for a TSV cell."""
    return " ".join(text.split())


def _synonyms(values: Iterable[str], label: str) -> tuple[str, ...]:
    """The exact synonyms that differ from the label and fit a ``|``-separated cell."""
    return tuple(sorted({_clean(v) for v in values if "|" not in v and _clean(v) and _clean(v) != label}))


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
        if prefix == "UBERON" and curie != _ANATOMICAL_ENTITY:
            if _ANATOMICAL_ENTITY not in parser.get_term_ancestors(curie):
                raise InputError("ontology/", None, f"{curie} is not an anatomical entity", "use an anatomy term")
            parents: tuple[str, ...] = (_ANATOMICAL_ENTITY,)
        else:
            parents = tuple(sorted(parser.get_term_parents(curie)))
        release = f"{prefix} {versions[prefix]['version']} via {package}"
        label = parser.get_term_label(curie)
        definition = _clean(parser.get_term_description(curie) or "")
        synonyms = _synonyms(parser.get_term_synonyms(curie), label)
        result[curie] = ExternalTerm(curie, label, parents, release, definition, synonyms)
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
        if curie.startswith("BFO:") and term.relation:
            raise InputError(path, None, f"{curie} ({term.name}) is a BFO relation", "use its RO relation")
        parents = tuple(sorted(term.parents)) if deep else ()
        synonyms = _synonyms(term.synonyms, term.name)
        result[curie] = ExternalTerm(curie, term.name, parents, release, _clean(term.definition), synonyms)
        todo.extend(p for p in parents if p not in result)
    return result


def _go_aspect(curie: str, terms: dict[str, ExternalTerm]) -> str:
    """The aspect a GO term's is_a ancestors reach (biological process, molecular function or component)."""
    todo, seen = [curie], set()
    while todo:
        node = todo.pop()
        if node in GO_ASPECTS:
            return GO_ASPECTS[node]
        seen.add(node)
        todo.extend(p for p in terms[node].parents if p not in seen)
    return ""


def _go_terms(curies: set[str], refdata: Path, imports: Path) -> dict[str, ExternalTerm]:
    """GO terms with their ancestors: from go_partial, else from the reviewed table (parents filled from GO)."""
    _, partial = read_obo(next((refdata / "go_partial").glob("*.obo")))
    reviewed_path = imports / "go_reviewed.tsv"
    reviewed = {row["id"]: row for row in read_table(reviewed_path, GO_REVIEWED_COLUMNS)}
    result: dict[str, ExternalTerm] = {}
    todo = sorted(curies)
    while todo:
        curie = todo.pop()
        if curie in result:
            continue
        if curie in partial and partial[curie].obsolete:
            raise InputError(imports, None, f"{curie} ({partial[curie].name}) is obsolete in GO", "use a current term")
        if curie in partial:
            term = partial[curie]
            parents = tuple(sorted(p for p in term.parents if p in partial or p in reviewed))
            release = "GO via go_partial (MONDO import 2021-08-03)"
            synonyms = _synonyms(term.synonyms, term.name)
            result[curie] = ExternalTerm(curie, term.name, parents, release, _clean(term.definition), synonyms)
        elif curie in reviewed:
            row = reviewed[curie]
            if not row["parents"]:
                raise row.error(f"{curie} has no parents", "run `cytokg curate go-reviewed --go-db GO.sqlite`")
            parents = tuple(split_multi(row["parents"]))
            release = "GO, reviewed in go_reviewed.tsv"
            result[curie] = ExternalTerm(curie, row["label"], parents, release, row["definition"])
        else:
            raise InputError(
                reviewed_path,
                None,
                f"{curie} is in neither go_partial nor go_reviewed.tsv",
                "review the term against GO and add it to go_reviewed.tsv with a reason",
            )
        todo.extend(p for p in result[curie].parents if p not in result)
    for row in reviewed.values():
        if row["id"] in result and _go_aspect(row["id"], result) != row["aspect"]:
            raise row.error(f"{row['id']} is {row['aspect']} in GO but its parents are not", "check its parents")
    return result


def _reduce(terms: dict[str, ExternalTerm]) -> dict[str, ExternalTerm]:
    """Drop each parent that is an ancestor of another parent, so the tree shows each term once per branch."""

    def ancestors(curie: str) -> set[str]:
        found: set[str] = set()
        todo = list(terms[curie].parents)
        while todo:
            node = todo.pop()
            if node not in found and node in terms:
                found.add(node)
                todo.extend(terms[node].parents)
        return found

    reduced = {}
    for curie, term in terms.items():
        implied = set().union(*(ancestors(p) for p in term.parents if p in terms))
        kept = tuple(p for p in term.parents if p not in implied)
        reduced[curie] = replace(term, parents=kept)
    return reduced


def curate_terms(ontology_dir: Path, refdata: Path) -> int:
    """Resolve every external term in use and write the imports table; return its size."""
    curies = collect_curies(ontology_dir)
    by_prefix: dict[str, set[str]] = {}
    for curie in curies:
        by_prefix.setdefault(curie.split(":")[0], set()).add(curie)
    terms: dict[str, ExternalTerm] = {}
    terms.update(_cellxgene_terms(c for p in _CELLXGENE for c in by_prefix.get(p, ())))
    terms.update(_obo_terms(by_prefix.get("ECO", set()), refdata / "eco" / "eco.obo", deep=True))
    ro = by_prefix.get("RO", set()) | by_prefix.get("BFO", set())
    terms.update(_obo_terms(ro, refdata / "ro" / "ro.obo", deep=False))
    terms.update(_go_terms(by_prefix.get("GO", set()), refdata, ontology_dir / "imports"))
    terms = _reduce(terms)
    lines = ["\t".join(TERM_COLUMNS)]
    for curie in sorted(terms):
        term = terms[curie]
        fields = (curie, term.label, "|".join(term.parents), term.release, term.definition, "|".join(term.synonyms))
        lines.append("\t".join(fields))
    header = (
        "# Generated by `cytokg curate terms`; do not edit. Labels, definitions, exact synonyms and parents from "
        "reference data.\n"
    )
    write_atomic(ontology_dir / "imports" / "external_terms.tsv", (header + "\n".join(lines) + "\n").encode())
    return len(terms)
