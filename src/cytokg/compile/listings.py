"""Reconcile CytoKG's ligand→receptor bindings with the expert resources that list ligand-receptor pairs.

Every pair with a cytokine ligand that CellPhoneDB, CellChatDB, ICELLNET, Kirouac 2010 or the Guide to
Pharmacology lists (``ligand_receptor_listings.tsv``, from ``cytokg curate ligand-receptors``) gets CytoKG's
verdict. A pair is *asserted* when CytoKG binds the ligand to a complex with the same receptor chains, or to a
complex that contains the listed chains (the resource lists part of the receptor); every other pair needs a
curator's verdict in ``ligand_receptor_verdicts.tsv`` with its reason, or the build stops. Each binding cites
every resource that lists it (ECO:0000312, imported information used in manual assertion).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from cytokg.compile.curated import TABLES, Curated
from cytokg.compile.facts import Provenance, add_fact, entity_iri, protein_iri
from cytokg.compile.tables import Row, split_multi
from cytokg.namespaces import CYTO, DCTERMS, OWL, RDF, RDFS

__all__ = [
    "EXPERT_RESOURCES",
    "LISTING_COLUMNS",
    "VERDICT_COLUMNS",
    "Binding",
    "Reconciled",
    "add_listings",
    "bindings",
    "pair_key",
    "reconcile",
]

#: The expert-curated resources whose listings CytoKG reconciles, in the order reports name them.
EXPERT_RESOURCES = ("cellphonedb", "cellchatdb", "icellnet", "kirouac2010", "guide2pharma")
LISTING_COLUMNS = TABLES["ligand_receptor_listings.tsv"]
VERDICT_COLUMNS = TABLES["ligand_receptor_verdicts.tsv"]
#: Evidence for a binding that a curated resource lists: imported information used in manual assertion.
LISTED_EVIDENCE = "ECO:0000312"
_VERDICTS = ("asserted", "not asserted")


def pair_key(ligand: Iterable[str], receptor: Iterable[str]) -> tuple[str, str]:
    """A pair as sorted HGNC symbols joined by '_' (the resources' notation for complexes).

    >>> pair_key(["IL6"], ["IL6ST", "IL6R"])
    ('IL6', 'IL6R_IL6ST')
    """
    return "_".join(sorted(set(ligand))), "_".join(sorted(set(receptor)))


@dataclass(frozen=True)
class Binding:
    """One CytoKG binding (a ``ligand_receptors`` row) as genes: the ligand's and the receptor complex's."""

    ligand: str
    complex_id: str
    ligand_genes: frozenset[str]
    receptor_genes: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        """The binding as a pair of gene sets."""
        return pair_key(self.ligand_genes, self.receptor_genes)


def bindings(curated: Curated) -> list[Binding]:
    """Every curated binding, with the genes of its ligand and of its receptor complex."""
    forms = {row["form_id"]: row["symbol"] for row in curated.rows("protein_forms.tsv")}
    cytokines = {row["complex_id"]: split_multi(row["subunits"]) for row in curated.rows("cytokine_complexes.tsv")}

    def genes(tokens: Iterable[str]) -> frozenset[str]:
        """The genes of gene symbols, protein form ids and heteromeric cytokine ids."""
        return frozenset(gene for token in tokens for gene in cytokines.get(token, [forms.get(token, token)]))

    receptors = {
        row["complex_id"]: genes([*split_multi(row["ligand_binding"]), *split_multi(row["signal_transducing"])])
        for row in curated.rows("receptor_complexes.tsv")
    }
    return [
        Binding(row["ligand"], row["complex_id"], genes([row["ligand"]]), receptors[row["complex_id"]])
        for row in curated.rows("ligand_receptors.tsv")
    ]


@dataclass(frozen=True)
class Reconciled:
    """A listed pair with CytoKG's verdict: the bindings that model it, or the curator's reason."""

    row: Row
    resources: tuple[str, ...]
    asserted: bool
    match: str  # "same chains", "part of the complex", or "curator verdict"
    bindings: tuple[Binding, ...]
    reason: str

    @property
    def key(self) -> tuple[str, str]:
        """The pair, as listed."""
        return self.row["ligand"], self.row["receptor"]


def _verdicts(curated: Curated) -> dict[tuple[str, str], Row]:
    found: dict[tuple[str, str], Row] = {}
    for row in curated.rows("ligand_receptor_verdicts.tsv"):
        key = pair_key(row.required("ligand").split("_"), row.required("receptor").split("_"))
        if key in found:
            raise row.error(f"a second verdict for {key[0]} → {key[1]} (first on line {found[key].line})", "keep one")
        if row.required("verdict") not in _VERDICTS:
            raise row.error(f"unknown verdict '{row['verdict']}'", f"use one of {list(_VERDICTS)}")
        row.required("reason")
        found[key] = row
    return found


def _matching(listed: tuple[frozenset[str], frozenset[str]], ours: list[Binding]) -> tuple[str, list[Binding]]:
    ligand, receptor = listed
    same = [b for b in ours if b.ligand_genes == ligand and b.receptor_genes == receptor]
    if same:
        return "same chains", same
    return "part of the complex", [b for b in ours if b.ligand_genes == ligand and receptor < b.receptor_genes]


def reconcile(curated: Curated) -> list[Reconciled]:
    """CytoKG's verdict on every listed pair; a pair CytoKG does not model needs a curator verdict.

    :raises InputError: a listed pair without a verdict, or a verdict that contradicts the bindings.
    """
    ours = bindings(curated)
    by_complex: dict[str, list[Binding]] = {}
    for binding in ours:
        by_complex.setdefault(binding.complex_id, []).append(binding)
    verdicts = _verdicts(curated)
    found = []
    for row in curated.rows("ligand_receptor_listings.tsv"):
        ligand, receptor = _genes_of(row)
        resources = tuple(split_multi(row.required("listed_by")))
        match, matched = _matching((ligand, receptor), ours)
        verdict = verdicts.get(pair_key(ligand, receptor))
        if matched:
            found.append(Reconciled(row, resources, True, match, tuple(matched), verdict["reason"] if verdict else ""))
            continue
        if verdict is None:
            raise row.error(
                f"{row['ligand']} → {row['receptor']} is listed by {', '.join(resources)} but has no CytoKG verdict",
                "add a binding, or a row to ligand_receptor_verdicts.tsv saying why CytoKG does not assert it",
            )
        if verdict["verdict"] == "asserted":
            complex_id = verdict.required("binding")
            modelled = [b for b in by_complex.get(complex_id, ()) if b.ligand_genes & ligand]
            if not modelled:
                problem = f"no binding of {row['ligand']} (or a cytokine it is part of) to '{complex_id}'"
                raise verdict.error(problem, "name the receptor complex of a binding in ligand_receptors")
            found.append(Reconciled(row, resources, True, "curator verdict", tuple(modelled), verdict["reason"]))
        else:
            found.append(Reconciled(row, resources, False, "curator verdict", (), verdict["reason"]))
    _check_own_verdicts(verdicts, {pair_key(*_genes_of(item.row)) for item in found}, by_complex)
    return found


def _genes_of(row: Row) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(row["ligand"].split("_")), frozenset(row["receptor"].split("_"))


def _check_own_verdicts(
    verdicts: dict[tuple[str, str], Row], listed: set[tuple[str, str]], by_complex: dict[str, list[Binding]]
) -> None:
    """A verdict on a pair no resource lists explains one of CytoKG's own bindings: it must name it."""
    for key, verdict in verdicts.items():
        if key in listed:
            continue
        ligand, receptor = _genes_of(verdict)
        complex_id = verdict["binding"]
        if verdict["verdict"] != "asserted" or not any(
            b.ligand_genes == ligand and b.receptor_genes == receptor for b in by_complex.get(complex_id, ())
        ):
            raise verdict.error(
                f"{key[0]} → {key[1]} is not listed by any resource, so its verdict must explain a CytoKG binding",
                "say 'asserted' and name the receptor complex whose binding has exactly these genes",
            )


def _listing_iri(key: tuple[str, str]) -> URIRef:
    return entity_iri("listing", f"{key[0]}--{key[1]}")


def add_listings(graph: Graph, curated: Curated) -> list[Reconciled]:
    """Add one node per listed pair (its genes, the resources, CytoKG's verdict and reason), and cite every
    listing resource on the bindings that model the pair; return the reconciliation for the report."""
    reconciled = reconcile(curated)
    for item in reconciled:
        node = _listing_iri(item.key)
        graph.add((node, RDF.type, OWL.NamedIndividual))
        graph.add((node, RDF.type, CYTO.ResourceListing))
        ligand_text, receptor_text = (" + ".join(part.split("_")) for part in item.key)
        label = f"{ligand_text} → {receptor_text}, as ligand-receptor resources list it"
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        for symbol in item.row["ligand"].split("_"):
            if symbol in curated.hgnc:
                graph.add((node, CYTO.listedLigand, protein_iri(curated.hgnc[symbol])))
        for symbol in item.row["receptor"].split("_"):
            if symbol in curated.hgnc:
                graph.add((node, CYTO.listedReceptor, protein_iri(curated.hgnc[symbol])))
        for resource in item.resources:
            graph.add((node, DCTERMS.source, entity_iri("source", resource)))
        graph.add((node, CYTO.listingVerdict, CYTO.Asserted if item.asserted else CYTO.NotAsserted))
        if item.reason:
            graph.add((node, RDFS.comment, Literal(item.reason, lang="en")))
        for binding in item.bindings:
            target = entity_iri("complex", binding.complex_id)
            graph.add((node, CYTO.modelledAs, target))
            ligand = _ligand_iri(curated, binding.ligand)
            for resource in item.resources:
                add_fact(graph, ligand, CYTO.hasReceptor, target, Provenance(resource, LISTED_EVIDENCE))
                if item.match == "same chains":
                    for predicate, chain in _gene_subunits(graph, target):
                        add_fact(graph, target, predicate, chain, Provenance(resource, LISTED_EVIDENCE))
    _explain_own_bindings(graph, curated, {item.key for item in reconciled})
    return reconciled


def _explain_own_bindings(graph: Graph, curated: Curated, listed: set[tuple[str, str]]) -> None:
    """The reason of a verdict on a pair no resource lists (one of CytoKG's own bindings: a decoy, a
    trans-signaling complex …) becomes a comment on that binding's axioms, next to its source."""
    ours = bindings(curated)
    for key, verdict in _verdicts(curated).items():
        if key in listed:
            continue
        reason = Literal(verdict.required("reason"), lang="en")
        target = entity_iri("complex", verdict["binding"])
        for binding in (b for b in ours if b.key == key and b.complex_id == verdict["binding"]):
            ligand = _ligand_iri(curated, binding.ligand)
            for axiom in graph.subjects(OWL.annotatedTarget, target):
                if (axiom, OWL.annotatedSource, ligand) in graph and (
                    axiom,
                    OWL.annotatedProperty,
                    CYTO.hasReceptor,
                ) in graph:
                    graph.add((axiom, RDFS.comment, reason))


_SUBUNIT_PROPERTIES = (CYTO.hasSubunit, CYTO.hasLigandBindingSubunit, CYTO.hasSignalTransducingSubunit)


def _gene_subunits(graph: Graph, complex_iri: URIRef) -> list[tuple[URIRef, URIRef]]:
    """The subunit statements of a complex whose chain is a gene product: a resource that lists the complex's
    genes attests these, not the named protein forms (soluble, membrane) that stand in for a gene elsewhere."""
    prefix = str(entity_iri("protein", ""))
    return [
        (predicate, chain)
        for predicate in _SUBUNIT_PROPERTIES
        for chain in graph.objects(complex_iri, predicate)
        if isinstance(chain, URIRef) and str(chain).startswith(prefix)
    ]


def _ligand_iri(curated: Curated, ligand: str) -> URIRef:
    if ligand in curated.hgnc:
        return protein_iri(curated.hgnc[ligand])
    return entity_iri("cytokine", ligand)
