"""The class tree a Protégé user sees: few roots, imported terms with ancestors and definitions, no punning."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from cytokg.compile.curated import load_curated
from cytokg.curation.obo import read_obo

from .conftest import ONTOLOGY, need, need_refdata, select

OBO = "http://purl.obolibrary.org/obo/"
PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX cyto: <https://w3id.org/cytokg/vocab/>
"""
#: The upper classes of the tree, as docs/model.md lists them ("Imported terms and the tree").
ROOTS = {
    "BFO_0000040": "material entity",
    "BFO_0000031": "generically dependent continuant",
    "CL_0000000": "cell",
    "GO_0008150": "biological_process",
    "GO_0003674": "molecular_function",
    "MONDO_0000001": "disease",
    "MONDO_0042489": "disease susceptibility",
    "UBERON_0001062": "anatomical entity",
    "CHEBI_24431": "chemical entity",
    "ECO_0000000": "evidence",
}
OWLCHECK = ONTOLOGY.parent.parent / "shared" / "tools" / "owlcheck" / "owlcheck"


@pytest.fixture(scope="module")
def full(built: Path) -> pyoxigraph.Store:
    """The full release graph (``cytokg.nt``, the triples of ``cytokg.owl``) in memory."""
    store = pyoxigraph.Store()
    store.bulk_load(path=str(built / "cytokg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _children(store: pyoxigraph.Store) -> dict[str, list[str]]:
    rows = select(
        store,
        PREFIXES + "SELECT ?c ?p WHERE { ?c a owl:Class . OPTIONAL { ?c rdfs:subClassOf ?p . ?p a owl:Class "
        "FILTER (isIRI(?p) && ?p != owl:Thing) } FILTER isIRI(?c) }",
    )
    tree: dict[str, list[str]] = {}
    for row in rows:
        parent = row["p"]
        tree.setdefault(parent.value if parent is not None else "", []).append(row["c"].value)
    return tree


def _labels(store: pyoxigraph.Store) -> dict[str, str]:
    rows = select(store, PREFIXES + "SELECT ?c ?l WHERE { ?c a owl:Class ; rdfs:label ?l FILTER isIRI(?c) }")
    return {row["c"].value: row["l"].value for row in rows}


def _levels(tree: dict[str, list[str]], labels: dict[str, str], node: str, depth: int) -> Iterator[str]:
    for child in sorted(tree.get(node, []), key=lambda c: labels.get(c, c)):
        below = len(tree.get(child, []))
        yield f"{'  ' * depth}{labels.get(child, child)} ({below} subclasses)"
        if depth < 2:
            yield from _levels(tree, labels, child, depth + 1)


def test_the_tree_has_ten_documented_roots(full: pyoxigraph.Store) -> None:
    tree, labels = _children(full), _labels(full)
    print("\n".join(_levels(tree, labels, "", 0)))  # noqa: T201 - the top three levels, as Protégé shows them
    roots = {iri.removeprefix(OBO): labels.get(iri, "") for iri in tree[""]}
    assert len(roots) <= 15
    assert roots == ROOTS


def test_no_imported_class_is_also_an_individual(full: pyoxigraph.Store) -> None:
    """A class is punned when typed as an individual, typed by a class, or linked by an object property."""
    punned = select(
        full,
        PREFIXES
        + """SELECT DISTINCT ?c WHERE { ?c a owl:Class FILTER isIRI(?c)
          { ?c a owl:NamedIndividual }
          UNION { ?c a ?k . ?k a owl:Class }
          UNION { ?p a owl:ObjectProperty . { ?x ?p ?c } UNION { ?c ?p ?x } } }""",
    )
    assert not punned, f"{len(punned)} classes are also individuals, e.g. {[r['c'].value for r in punned[:5]]}"


def test_facts_about_classes_use_annotation_properties(full: pyoxigraph.Store) -> None:
    rows = select(
        full,
        PREFIXES
        + """SELECT ?p (COUNT(*) AS ?n) WHERE { VALUES ?p { cyto:producedBy cyto:actsOn cyto:treats cyto:prevents
          cyto:positivelyRegulates cyto:negativelyRegulates cyto:involvedIn cyto:signalsVia cyto:associatedDisease
          cyto:specimen cyto:claimAbout } ?p a owl:AnnotationProperty . ?s ?p ?o } GROUP BY ?p""",
    )
    assert len(rows) == 11 and all(int(row["n"].value) > 0 for row in rows)
    lymphokines = select(
        full,
        PREFIXES
        + """SELECT ?x WHERE { ?x a [ owl:onProperty obo:RO_0003001 ; owl:someValuesFrom ?cell ] .
          ?cell rdfs:subClassOf* obo:CL_0000542 }""",
    )
    assert lymphokines, "a producing lymphocyte is also a class assertion 'produced by some CELL' for the reasoner"


def test_go_terms_reach_their_aspect(full: pyoxigraph.Store) -> None:
    """Processes reach biological_process and activities molecular_function, through GO's own is_a."""
    rows = select(
        full,
        PREFIXES
        + """SELECT ?p ?go ?top WHERE { VALUES ?p { cyto:positivelyRegulates cyto:involvedIn cyto:signalsVia }
          ?s ?p ?go . OPTIONAL { ?go rdfs:subClassOf* ?top VALUES ?top { obo:GO_0008150 obo:GO_0003674 } } }""",
    )
    assert rows
    wrong = {(r["p"].value, r["go"].value) for r in rows if r["top"] is None or r["top"].value != OBO + "GO_0008150"}
    assert not wrong, f"GO objects that are not biological processes: {sorted(wrong)[:5]}"
    assert bool(full.query(PREFIXES + "ASK { obo:GO_0008009 rdfs:subClassOf+ obo:GO_0003674 }")), "chemokine activity"


def test_imported_terms_carry_reference_definitions_and_synonyms(full: pyoxigraph.Store) -> None:
    refdata = need_refdata()
    from cellxgene_ontology_guide.ontology_parser import OntologyParser

    parser = OntologyParser()
    _, eco = read_obo(refdata / "eco" / "eco.obo")
    _, go = read_obo(next((refdata / "go_partial").glob("*.obo")))
    rows = select(full, PREFIXES + "SELECT ?id ?d WHERE { ?c oboInOwl:id ?id ; a owl:Class ; obo:IAO_0000115 ?d }")
    defined = {row["id"].value: row["d"].value for row in rows}
    missing = []
    for curie in load_curated(ONTOLOGY).terms:
        prefix = curie.split(":")[0]
        if prefix in ("CL", "UBERON", "MONDO", "CHEBI"):
            reference = parser.get_term_description(curie) or ""
        elif prefix in ("ECO", "GO"):
            term = {"ECO": eco, "GO": go}[prefix].get(curie)
            reference = term.definition if term else ""
        else:
            continue
        if reference and " ".join(reference.split()) != defined.get(curie):
            missing.append(curie)
    assert not missing, f"{len(missing)} terms lack their reference definition, e.g. {missing[:5]}"
    assert len(defined) > 1000
    th17 = PREFIXES + 'ASK { obo:CL_0000899 oboInOwl:hasExactSynonym ?s FILTER (STR(?s) = "Th17 cell") }'
    assert bool(full.query(th17)), "CL's exact synonyms (Th17 cell for T-helper 17 cell) are in the graph"


@pytest.mark.parametrize("name", ["cytokg.owl", "cytokg-ontology.owl"])
def test_owlcheck_is_clean(built: Path, name: str) -> None:
    """The OWL API (Protégé's library) loads the file with no unparsed triple and no OWL 2 DL violation."""
    need(OWLCHECK.exists(), f"owlcheck not found at {OWLCHECK} (../shared/tools)")
    result = subprocess.run([str(OWLCHECK), str(built / name)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
