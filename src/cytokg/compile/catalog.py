"""Turn the curated catalog tables (genes, families, forms, receptor complexes) into RDF."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import GENE_KINDS, Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri, note, protein_iri
from cytokg.compile.names import add_gene_name, gene_names
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, DCTERMS, OBOINOWL, OWL, RDF, RDFS, SKOS, obo_iri

__all__ = ["add_catalog"]

_KIND_CLASSES = {
    "cytokine": (CYTO.GeneProduct, CYTO.Cytokine),
    "cytokine_subunit": (CYTO.CytokineSubunit,),
    "antagonist": (CYTO.CytokineAntagonist,),
    "receptor_chain": (CYTO.ReceptorChain,),
    "signaling": (CYTO.SignalingProtein,),
    "other": (CYTO.GeneProduct,),
}
_FORM_CLASS = {
    "soluble": CYTO.SolubleForm,
    "membrane": CYTO.MembraneBoundForm,
    "precursor": CYTO.PrecursorForm,
    "mature": CYTO.MatureForm,
}
_MECHANISMS = {
    "classic": CYTO.ClassicSignaling,
    "trans-signaling": CYTO.TransSignaling,
    "trans-presentation": CYTO.TransPresentation,
    "decoy": CYTO.DecoyBinding,
    "antagonist-bound": CYTO.AntagonistBound,
}


def _prov(curated: Curated, row: Row) -> Provenance:
    evidence = curated.term(row, "evidence", "ECO")
    return Provenance(curated.source(row), evidence)


#: Curator knowledge (ECO:0000305, curator inference used in manual assertion), for facts a row's source
#: document does not state.
CURATOR = Provenance("cytokg-curation", "ECO:0000305")


def _signaling_prov(curated: Curated, row: Row) -> Provenance:
    """The provenance of a complex's JAKs, STATs, adaptors and pathway: a source document that names the
    receptor does not thereby state how it signals (the IL-6 review never names a JAK), so these facts cite
    curator knowledge; a reference resource or curation practice covers the whole row."""
    prov = _prov(curated, row)
    kinds = {source["source_id"]: source["kind"] for source in curated.rows("sources.tsv")}
    return CURATOR if kinds[prov.source] == "Publication" else prov


def _add_gene_products(graph: Graph, curated: Curated) -> None:
    hgnc_source = entity_iri("source", "hgnc")
    rows = list(curated.rows("gene_products.tsv"))
    names = gene_names(rows, curated.hgnc)
    for row in rows:
        gene = curated.hgnc[row["symbol"]]
        node = protein_iri(gene)
        graph.add((node, RDF.type, OWL.NamedIndividual))
        for cls in _KIND_CLASSES[row["kind"]]:
            graph.add((node, RDF.type, cls))
        add_gene_name(graph, node, names[gene.symbol])
        graph.add((node, CYTO.hgncSymbol, Literal(gene.symbol)))
        graph.add((node, CYTO.hgncId, Literal(gene.hgnc_id)))
        if gene.entrez_id:
            graph.add((node, CYTO.ncbiGeneId, Literal(gene.entrez_id)))
        if gene.ensembl_gene_id:
            graph.add((node, CYTO.ensemblGeneId, Literal(gene.ensembl_gene_id)))
        for accession in gene.uniprot_ids:
            graph.add((node, CYTO.uniprotAccession, Literal(accession)))
        for old in gene.previous_symbols:
            graph.add((node, CYTO.previousSymbol, Literal(old)))
        for alias in gene.alias_symbols:
            graph.add((node, CYTO.aliasSymbol, Literal(alias)))
        for group in gene.gene_groups:
            graph.add((node, CYTO.hgncGeneGroup, Literal(group)))
        for name in split_multi(row["common_names"]):
            graph.add((node, CYTO.commonName, Literal(name)))
        graph.add((node, DCTERMS.source, hgnc_source))


def _family_class(graph: Graph, row: Row) -> URIRef:
    name = row.required("class")
    iri = URIRef(str(CYTO) + (name if name.isalnum() else "-"))  # never build an invalid IRI from a typo
    if (iri, RDF.type, OWL.Class) not in graph:
        raise row.error(f"'{name}' is not a CytoKG class", "use a class name from ontology/cytokg-edit.ttl")
    if (iri, OWL.equivalentClass, None) in graph:
        raise row.error(f"'{name}' is a defined class the reasoner fills", "assert a primitive family instead")
    return iri


def _ligand(curated: Curated, row: Row, column: str, kinds: tuple[str, ...] = ("cytokine", "antagonist")) -> URIRef:
    """A gene symbol of one of ``kinds``, or a heteromeric cytokine's complex id."""
    key = row.required(column)
    if key in {r["complex_id"] for r in curated.rows("cytokine_complexes.tsv")}:
        return entity_iri("cytokine", key)
    return protein_iri(curated.gene(row, column, kinds))


def _add_memberships(graph: Graph, curated: Curated) -> None:
    for row in curated.rows("family_memberships.tsv"):
        subject = _ligand(curated, row, "symbol", GENE_KINDS)
        add_fact(graph, subject, RDF.type, _family_class(graph, row), _prov(curated, row), note(row))


def _add_cytokine_complexes(graph: Graph, curated: Curated) -> None:
    for row in curated.rows("cytokine_complexes.tsv"):
        node = entity_iri("cytokine", row["complex_id"])
        prov = _prov(curated, row)
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.HeteromericCytokine))
        label = row.required("label")
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
        for name in split_multi(row["common_names"]):
            graph.add((node, CYTO.commonName, Literal(name)))
            if name != label:
                graph.add((node, OBOINOWL.hasExactSynonym, Literal(name)))
                graph.add((node, SKOS.altLabel, Literal(name, lang="en")))
        subunits = split_multi(row["subunits"])
        if len(subunits) < 2:
            raise row.error(f"a heteromeric cytokine has 2 or more subunits, found {len(subunits)}", "list them all")
        for symbol in subunits:
            if curated.gene_kinds.get(symbol) not in ("cytokine_subunit", "cytokine"):
                raise row.error(f"'{symbol}' is not a cytokine subunit", "add it to gene_products (cytokine_subunit)")
            add_fact(graph, node, CYTO.hasSubunit, protein_iri(curated.hgnc[symbol]), prov)


def _add_forms(graph: Graph, curated: Curated) -> dict[str, URIRef]:
    forms: dict[str, URIRef] = {}
    for row in curated.rows("protein_forms.tsv"):
        gene = curated.gene(row, "symbol")
        kind = row.required("kind")
        if kind not in _FORM_CLASS:
            raise row.error(f"unknown form kind '{kind}'", f"use one of {sorted(_FORM_CLASS)}")
        node = entity_iri("form", row["form_id"])
        forms[row["form_id"]] = node
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, _FORM_CLASS[kind]))
        graph.add((node, RDFS.label, Literal(row.required("label"), lang="en")))
        for synonym in split_multi(row["synonyms"]):
            graph.add((node, OBOINOWL.hasExactSynonym, Literal(synonym)))
        add_fact(graph, node, CYTO.isFormOf, protein_iri(gene), _prov(curated, row))
    return forms


def _subunit(curated: Curated, forms: dict[str, URIRef], row: Row, token: str, column: str) -> URIRef:
    if token in forms:
        return forms[token]
    if curated.gene_kinds.get(token) == "receptor_chain":
        return protein_iri(curated.hgnc[token])
    raise row.error(
        f"'{token}' in column '{column}' is neither a receptor chain nor a protein form",
        "add it to gene_products.tsv (kind receptor_chain) or protein_forms.tsv",
    )


def _add_complexes(graph: Graph, curated: Curated, forms: dict[str, URIRef]) -> dict[str, URIRef]:
    complexes: dict[str, URIRef] = {}
    for row in curated.rows("receptor_complexes.tsv"):
        node = entity_iri("complex", row["complex_id"])
        complexes[row["complex_id"]] = node
        prov = _prov(curated, row)
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.ReceptorComplex))
        graph.add((node, RDFS.label, Literal(row.required("label"), lang="en")))
        binding = split_multi(row["ligand_binding"])
        if not binding:
            raise row.error("complex has no ligand-binding subunit", "name at least one in 'ligand_binding'")
        for column, predicate in (
            ("ligand_binding", CYTO.hasLigandBindingSubunit),
            ("signal_transducing", CYTO.hasSignalTransducingSubunit),
        ):
            for token in split_multi(row[column]):
                subunit = _subunit(curated, forms, row, token, column)
                add_fact(graph, node, CYTO.hasSubunit, subunit, prov)
                add_fact(graph, node, predicate, subunit, prov)
        signaling = _signaling_prov(curated, row)
        for column, predicate, cls in (
            ("kinases", CYTO.usesKinase, "JanusKinase"),
            ("stats", CYTO.activatesSTAT, "STAT"),
            ("adaptors", CYTO.recruits, "SignalingProtein"),
        ):
            for symbol in split_multi(row[column]):
                if curated.gene_kinds.get(symbol) != "signaling":
                    raise row.error(f"'{symbol}' in '{column}' is not a signaling protein", f"name a {cls}")
                add_fact(graph, node, predicate, protein_iri(curated.hgnc[symbol]), signaling)
        if row["mechanism"]:
            if row["mechanism"] not in _MECHANISMS:
                raise row.error(f"unknown mechanism '{row['mechanism']}'", f"use one of {sorted(_MECHANISMS)}")
            add_fact(graph, node, CYTO.signalingMechanism, _MECHANISMS[row["mechanism"]], prov)
        for token in split_multi(row["pathway"]):  # several GO pathways: e.g. IL-1 signaling and NF-kappaB
            pathway = obo_iri(curated.term(Row(row.path, row.line, {**row.values, "pathway": token}), "pathway", "GO"))
            add_fact(graph, node, CYTO.signalsVia, pathway, signaling)
    return complexes


def _add_bindings(graph: Graph, curated: Curated, complexes: dict[str, URIRef]) -> None:
    for row in curated.rows("ligand_receptors.tsv"):
        ligand = _ligand(curated, row, "ligand")
        key = row.required("complex_id")
        if key not in complexes:
            raise row.error(f"unknown receptor complex '{key}'", "add it to receptor_complexes.tsv")
        add_fact(graph, ligand, CYTO.hasReceptor, complexes[key], _prov(curated, row))


def add_catalog(graph: Graph, curated: Curated) -> None:
    """Add gene products, heteromeric cytokines, memberships, forms, complexes and bindings to ``graph``.

    ``graph`` must already hold the TBox, which family names are checked against.
    """
    _add_gene_products(graph, curated)
    _add_cytokine_complexes(graph, curated)
    _add_memberships(graph, curated)
    forms = _add_forms(graph, curated)
    complexes = _add_complexes(graph, curated, forms)
    _add_bindings(graph, curated, complexes)
