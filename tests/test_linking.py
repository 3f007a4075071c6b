"""Linking: Bioregistry-normalised CURIEs, canonical mapping IRIs, the SSSOM file and VoID linksets."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from cytokg.compile.links import IDENTIFIERS, MAPPING_PREDICATES, converter
from cytokg.namespaces import CYTO, DATASET, OBOINOWL, VOID
from cytokg.release import MAPPING_FILE, VOID_FILE

PREFIXES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
"""


@pytest.fixture(scope="module")
def store(built: Path) -> pyoxigraph.Store:
    return pyoxigraph.Store.read_only(str(built / "oxigraph"))


def _rows(store: pyoxigraph.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(row[name].value if row[name] is not None else "" for name in names) for row in solutions]


def _by_subject(store: pyoxigraph.Store, query: str) -> dict[str, set[str]]:
    """The ``?s ?o`` rows of ``query`` as subject → the set of its objects."""
    found: dict[str, set[str]] = {}
    for subject, value in _rows(store, query):
        found.setdefault(subject, set()).add(value)
    return found


@pytest.mark.parametrize("prop", list(IDENTIFIERS), ids=lambda p: p.split("/")[-1])
def test_every_identifier_is_a_curie_and_a_canonical_iri(store: pyoxigraph.Store, prop: URIRef) -> None:
    """Each identifier's CURIE is a cross-reference of its subject, and its IRI the object of a mapping predicate
    (both read for all the property's subjects in one query each, not two per subject)."""
    registry = IDENTIFIERS[prop].registry
    convert = converter()
    rows = _rows(store, f"SELECT ?s ?v WHERE {{ ?s <{prop}> ?v }}")
    assert rows, f"no {registry} identifiers in the graph"
    xrefs = _by_subject(store, f"SELECT DISTINCT ?s ?x WHERE {{ ?s <{prop}> ?v ; oboInOwl:hasDbXref ?x }}")
    mapping = " ".join(f"<{p}>" for p in MAPPING_PREDICATES)
    mapped = _by_subject(
        store, f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?p {{ {mapping} }} ?s <{prop}> ?v ; ?p ?o FILTER isIRI(?o) }}"
    )
    for subject, value in rows:
        local = value.split(":", 1)[1] if ":" in value else value
        curie = convert.standardize_curie(f"{registry}:{local}")
        assert curie, f"{registry}:{local} is not a CURIE the Bioregistry knows"
        assert curie in xrefs.get(subject, set()), f"{subject} lacks the CURIE {curie}"
        iri = convert.expand_strict(curie)
        assert iri in mapped.get(subject, set()), f"{subject} has no mapping to {iri}"


def test_canonical_iri_forms_and_strength(store: pyoxigraph.Store) -> None:
    il6 = "https://w3id.org/cytokg/protein/HGNC_6018"

    def objects(subject: str, predicate: URIRef) -> set[str]:
        return {o for (o,) in _rows(store, f"SELECT ?o WHERE {{ <{subject}> <{predicate}> ?o }}")}

    assert objects(il6, SKOS.exactMatch) == {"http://purl.uniprot.org/uniprot/P05231"}, "a UniProt entry is the protein"
    assert objects(il6, SKOS.closeMatch) == {
        "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/6018",
        "https://www.ncbi.nlm.nih.gov/gene/3569",
        "https://www.ensembl.org/id/ENSG00000136244",
    }, "gene records are close to, not the same as, the gene product"
    xrefs = {"hgnc:6018", "NCBIGene:3569", "ensembl:ENSG00000136244", "uniprot:P05231"}
    assert objects(il6, OBOINOWL.hasDbXref) == xrefs
    # CCL3L1 and CCL3L3 encode the identical protein: one UniProt entry, so neither gene product is its exact match.
    shared = _rows(store, "SELECT ?s ?p WHERE { ?s ?p <http://purl.uniprot.org/uniprot/P16619> }")
    assert len(shared) == 2 and {p for _, p in shared} == {str(SKOS.closeMatch)}
    tocilizumab = "https://w3id.org/cytokg/drug/DB06273"
    assert objects(tocilizumab, SKOS.exactMatch) == {"https://go.drugbank.com/drugs/DB06273"}


def test_xrefs_are_bioregistry_standard(store: pyoxigraph.Store) -> None:
    convert = converter()
    xrefs = [x for (x,) in _rows(store, "SELECT DISTINCT ?x WHERE { ?s oboInOwl:hasDbXref ?x }")]
    assert len(xrefs) > 1000
    off = [x for x in xrefs if convert.standardize_curie(x) != x]
    assert not off, f"xrefs not in the Bioregistry's standard form: {off[:10]}"


@pytest.mark.parametrize("prefix", ["CL", "MONDO", "GO", "UBERON", "CHEBI"])
def test_external_terms_carry_their_curie(store: pyoxigraph.Store, prefix: str) -> None:
    """CL, MONDO... terms are used by their OBO PURL (the canonical IRI) and carry their CURIE as oboInOwl:id."""
    convert = converter()
    namespace = convert.expand_strict(f"{prefix}:")
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?o (SAMPLE(?id) AS ?curie) WHERE {{
              ?s ?p ?o FILTER (isIRI(?o) && STRSTARTS(STR(?o), "{namespace}"))
              OPTIONAL {{ ?o oboInOwl:id ?id }} }} GROUP BY ?o""",
    )
    assert rows, f"no {prefix} terms used"
    missing = [iri for iri, curie in rows if curie != convert.compress(iri)]
    assert not missing, f"{prefix} terms without their CURIE: {missing[:10]}"


def test_sssom_validates_and_matches_the_graph(built: Path, store: pyoxigraph.Store) -> None:
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    table = parse_sssom_table(built / MAPPING_FILE)
    reports = validate(table, fail_on_error=False)
    problems = {kind.value: report.results for kind, report in reports.items() if report.results}
    assert not problems, f"SSSOM validation: {problems}"
    values = ", ".join(f"<{p}>" for p in MAPPING_PREDICATES)
    (count,) = _rows(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER (?p IN ({values})) }}")[0]
    frame = table.df
    assert len(frame) == int(count), "one SSSOM row per mapping triple"
    convert = table.converter
    graph_triples = {
        (s, p, o) for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER (?p IN ({values})) }}")
    }
    rows = {
        (convert.expand_strict(r.subject_id), convert.expand_strict(r.predicate_id), convert.expand_strict(r.object_id))
        for r in frame.itertuples()
    }
    assert rows == graph_triples
    assert set(frame["mapping_justification"]) <= {"semapv:ManualMappingCuration", "semapv:MappingChaining"}
    assert (frame["subject_label"].str.len() > 0).all(), "every subject has its label"


def test_owl_file_keeps_mappings_as_annotations(built: Path, store: pyoxigraph.Store) -> None:
    owl = Graph().parse(built / "cytokg.owl", format="xml")
    for predicate in (SKOS.exactMatch, SKOS.closeMatch, OBOINOWL.hasDbXref, OBOINOWL.id):
        assert (predicate, RDF.type, OWL.AnnotationProperty) in owl, f"{predicate} must be an annotation property"
    (count,) = _rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s skos:exactMatch ?o }")[0]
    assert len(list(owl.triples((None, SKOS.exactMatch, None)))) == int(count)
    assert (URIRef("https://w3id.org/cytokg/protein/HGNC_6018"), OBOINOWL.hasDbXref, Literal("uniprot:P05231")) in owl


def _sparql(url: str, query: str, accept: str) -> bytes:
    request = urllib.request.Request(
        f"{url}/sparql?{urllib.parse.urlencode({'query': query})}" if query else f"{url}/sparql",
        headers={"Accept": accept},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def test_void_linksets_match_live_counts(live_server: str) -> None:
    description = Graph().parse(data=_sparql(live_server, "", "text/turtle"), format="turtle")
    linksets = list(description.subjects(RDF.type, VOID.Linkset))
    targets = {str(description.value(ls, VOID.objectsTarget)).rsplit("/", 1)[-1] for ls in linksets}
    assert {"uniprot", "hgnc", "ncbigene", "ensembl", "drugbank", "chebi", "cl", "mondo", "go", "uberon"} <= targets
    for linkset in linksets:
        assert (DATASET, VOID.subset, linkset) in description
        predicate = description.value(linkset, VOID.linkPredicate)
        space = description.value(description.value(linkset, VOID.objectsTarget), VOID.uriSpace)
        query = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> ?o "
            f'FILTER (isIRI(?s) && isIRI(?o) && STRSTARTS(STR(?s), "https://w3id.org/cytokg/") '
            f'&& STRSTARTS(STR(?o), "{space}")) }}'
        )
        answer = json.loads(_sparql(live_server, query, "application/sparql-results+json"))
        live = int(answer["results"]["bindings"][0]["n"]["value"])
        assert int(str(description.value(linkset, VOID.triples))) == live, f"{linkset}: VoID count differs from COUNT"


def test_sssom_is_downloadable(live_server: str) -> None:
    with urllib.request.urlopen(f"{live_server}/downloads/{MAPPING_FILE}", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/tab-separated-values")
        assert b"#curie_map:" in response.read()
    with urllib.request.urlopen(f"{live_server}/downloads", timeout=30) as response:
        listing = response.read().decode()
    assert MAPPING_FILE in listing and VOID_FILE in listing


def test_an_identifier_the_registry_rejects_fails_the_build() -> None:
    from cytokg.compile.links import add_links
    from cytokg.errors import GateFailure

    graph = Graph()
    graph.add((URIRef("https://w3id.org/cytokg/protein/HGNC_1"), CYTO.uniprotAccession, Literal("not an accession")))
    with pytest.raises(GateFailure, match="not a valid uniprot identifier"):
        add_links(graph)
