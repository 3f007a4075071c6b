"""``cytokg diff``: what changed between two releases, fact by fact, as Markdown and JSON.

Each kind of fact is one query over a release's full graph (``cytokg.nt``: asserted plus inferred); a fact is the
tuple of IRIs and values it returns, shown by the labels of the release it is in. Statements outside these kinds
are counted, not listed (blank-node statements, whose labels differ between builds, are left out of the count).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from cytokg.errors import InputError
from cytokg.namespaces import BASE, PREFIXES
from cytokg.release import CHANGES_JSON, CHANGES_REPORT
from cytokg.writing import write_atomic

__all__ = ["KINDS", "Changes", "Kind", "diff_releases", "write_changes"]

#: The file a release is compared by: the full graph with the reasoner's inferred memberships.
COMPARED_FILE = "cytokg.nt"
_PREFIXES = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in sorted(PREFIXES.items()))
_CELL = "http://purl.obolibrary.org/obo/CL_"


@dataclass(frozen=True)
class Kind:
    """One kind of fact: its heading and the SELECT whose rows are its facts (values in column order)."""

    name: str
    query: str


KINDS = (
    Kind("Ligand-receptor bindings", "SELECT ?ligand ?receptor WHERE { ?ligand cyto:hasReceptor ?receptor }"),
    Kind(
        "Cell links",
        "SELECT ?product ?relation ?cell WHERE { ?product ?relation ?cell "
        f'FILTER(isIRI(?cell) && STRSTARTS(STR(?cell), "{_CELL}") && STRSTARTS(STR(?product), "{BASE}") '
        "&& ?relation NOT IN (rdf:type, rdfs:subClassOf, owl:equivalentClass)) "
        "FILTER NOT EXISTS { ?product a cyto:DiseaseAssociation } }",
    ),
    Kind(  # of a gene's expression, and of a process
        "Regulations",
        "SELECT ?regulator ?relation ?target WHERE { ?regulator ?relation ?target VALUES ?relation { "
        "cyto:inducesExpressionOf cyto:repressesExpressionOf cyto:positivelyRegulates cyto:negativelyRegulates } }",
    ),
    Kind(
        "Disease associations",
        "SELECT ?entity ?kind ?disease WHERE { ?association a cyto:DiseaseAssociation ; "
        "cyto:associatedEntity ?entity ; cyto:associationKind ?kind ; cyto:associatedDisease ?disease }",
    ),
    Kind(
        "Drugs",
        "SELECT ?drug ?relation ?value WHERE { ?drug a cyto:Drug ; ?relation ?value "
        "FILTER(isIRI(?value) && ?relation != rdf:type) }",
    ),
    Kind("Classes", "SELECT ?class WHERE { ?class a owl:Class FILTER(isIRI(?class)) }"),
    Kind("Labels", "SELECT ?entity ?label WHERE { ?entity rdfs:label ?label FILTER(isIRI(?entity)) }"),
    Kind(
        "Mappings",
        "SELECT ?entity ?relation ?target WHERE { ?entity ?relation ?target VALUES ?relation { "
        "skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch } }",
    ),
)

Fact = tuple[str, ...]


@dataclass
class _Release:
    """A release folder's graph, its version and its labels."""

    folder: Path
    store: pyoxigraph.Store
    version: str
    labels: dict[str, str] = field(default_factory=dict)

    def facts(self, kind: Kind) -> set[Fact]:
        answer = self.store.query(_PREFIXES + kind.query)
        assert isinstance(answer, pyoxigraph.QuerySolutions)
        return {tuple(_value(term) for term in row) for row in answer}

    def text(self, fact: Fact) -> str:
        return " · ".join(self.labels.get(value) or _short(value) for value in fact)


def _short(value: str) -> str:
    """A vocabulary IRI as a CURIE (``cyto:hasTarget``); an entity's IRI, or a value, as it is."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = value.removeprefix(namespace)
        if local != value and prefix in ("cyto", "skos", "owl", "rdfs", "rdf", "oboInOwl", "dcterms"):
            return f"{prefix}:{local}"
    return value


def _value(term: object) -> str:
    return term.value if isinstance(term, pyoxigraph.NamedNode | pyoxigraph.Literal) else str(term)


def _load(folder: Path) -> _Release:
    path = folder / COMPARED_FILE
    if not path.is_file():
        raise InputError(path, None, "not a release folder (no cytokg.nt)", "pass two folders `cytokg build` wrote")
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)
    except SyntaxError as error:
        raise InputError(path, None, f"not N-Triples: {error}", "pass a folder `cytokg build` wrote") from None
    versions = store.query(_PREFIXES + "SELECT ?v WHERE { ?o a owl:Ontology ; owl:versionInfo ?v } ORDER BY ?v")
    assert isinstance(versions, pyoxigraph.QuerySolutions)
    version = next((_value(row[0]) for row in versions), folder.name)
    release = _Release(folder, store, version)
    labels = store.query(_PREFIXES + "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l")
    assert isinstance(labels, pyoxigraph.QuerySolutions)
    for row in labels:
        release.labels.setdefault(_value(row[0]), _value(row[1]))
    return release


def _plain_triples(release: _Release) -> set[str]:
    """The release's N-Triples lines that name no blank node."""
    with (release.folder / COMPARED_FILE).open(encoding="utf-8") as lines:
        return {line for line in lines if "_:" not in line and line.strip()}


@dataclass(frozen=True)
class Changes:
    """What changed: per kind, the facts added and removed (as text), and the count of all other statements."""

    old_version: str
    new_version: str
    kinds: list[dict[str, object]]
    statements_added: int
    statements_removed: int

    def markdown(self) -> str:
        """The changes as a Markdown report."""
        lines = [f"# What changed from CytoKG {self.old_version} to {self.new_version}", ""]
        lines.append(f"{self.statements_added} statements added, {self.statements_removed} removed in all.")
        for kind in self.kinds:
            added, removed, renamed = kind["added"], kind["removed"], kind.get("renamed", [])
            assert isinstance(added, list) and isinstance(removed, list) and isinstance(renamed, list)
            counts = f"{len(added)} added, {len(removed)} removed" + (f", {len(renamed)} renamed" if renamed else "")
            lines += ["", f"## {kind['name']}: {counts}"]
            lines += [""] if added or removed or renamed else ["", "No change."]
            lines += [f"- added: {text}" for text in added] + [f"- removed: {text}" for text in removed]
            lines += [f"- renamed: {text}" for text in renamed]
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The changes as JSON."""
        return json.dumps(self.__dict__, indent=1, ensure_ascii=False) + "\n"


def diff_releases(old_folder: Path, new_folder: Path) -> Changes:
    """Compare the release in ``old_folder`` with the one in ``new_folder``."""
    old, new = _load(old_folder), _load(new_folder)
    kinds: list[dict[str, object]] = []
    for kind in KINDS:
        before, after = old.facts(kind), new.facts(kind)
        added, removed = after - before, before - after
        entry: dict[str, object] = {"name": kind.name}
        if kind.name == "Labels":  # a label replaced by another: one line, old → new
            renamed = {fact[0] for fact in added} & {fact[0] for fact in removed}
            entry["renamed"] = sorted(f"{iri}: {old.labels[iri]} → {new.labels[iri]}" for iri in renamed)
            added = {fact for fact in added if fact[0] not in renamed}
            removed = {fact for fact in removed if fact[0] not in renamed}
        entry["added"] = sorted(new.text(fact) for fact in added)
        entry["removed"] = sorted(old.text(fact) for fact in removed)
        kinds.append(entry)
    old_lines, new_lines = _plain_triples(old), _plain_triples(new)
    return Changes(old.version, new.version, kinds, len(new_lines - old_lines), len(old_lines - new_lines))


def write_changes(changes: Changes, out: Path) -> None:
    """Write ``changes.md`` and ``changes.json`` into ``out``."""
    write_atomic(out / CHANGES_REPORT, changes.markdown().encode("utf-8"))
    write_atomic(out / CHANGES_JSON, changes.json().encode("utf-8"))
