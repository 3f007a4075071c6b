"""The namespaces CytoKG writes, and its own vocabulary as a closed namespace."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD, DefinedNamespace

from cytokg.iris import BASE, OBO_PREFIX

__all__ = [
    "BASE",
    "CYTO",
    "DATASET",
    "DCTERMS",
    "OBO",
    "OBOINOWL",
    "ONTOLOGY_IRI",
    "OWL",
    "PREFIXES",
    "RDF",
    "RDFS",
    "SKOS",
    "VOID",
    "XSD",
    "bind_prefixes",
    "obo_iri",
]

#: The ontology's IRI; releases get ``https://w3id.org/cytokg/releases/YYYY-MM-DD/cytokg.owl``.
ONTOLOGY_IRI = URIRef(BASE + "cytokg.owl")

OBO = Namespace(OBO_PREFIX)
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
VOID = Namespace("http://rdfs.org/ns/void#")
#: The CytoKG dataset as the service description and the VoID linksets name it.
DATASET = URIRef(BASE + "dataset/cytokg")


class CYTO(DefinedNamespace):
    """CytoKG's own vocabulary; a misspelt term raises at once."""

    _NS = Namespace(BASE + "vocab/")
    _fail = True

    # classes
    GeneProduct: URIRef
    ProteinForm: URIRef
    SolubleForm: URIRef
    MembraneBoundForm: URIRef
    PrecursorForm: URIRef
    MatureForm: URIRef
    Cytokine: URIRef
    HeteromericCytokine: URIRef
    CytokineSubunit: URIRef
    SMAD: URIRef
    CytokineAntagonist: URIRef
    ReceptorChain: URIRef
    SignalingProtein: URIRef
    JanusKinase: URIRef
    STAT: URIRef
    ReceptorComplex: URIRef
    Source: URIRef
    Publication: URIRef
    ReferenceResource: URIRef
    CurationPractice: URIRef
    Interleukin: URIRef
    IL1FamilyCytokine: URIRef
    IL10FamilyCytokine: URIRef
    IL12FamilyCytokine: URIRef
    IL17FamilyCytokine: URIRef
    Chemokine: URIRef
    CCChemokine: URIRef
    CXCChemokine: URIRef
    XCChemokine: URIRef
    CX3CChemokine: URIRef
    Interferon: URIRef
    TypeIInterferon: URIRef
    TypeIIInterferon: URIRef
    TypeIIIInterferon: URIRef
    TNFSuperfamilyLigand: URIRef
    Hematopoietin: URIRef
    ColonyStimulatingFactor: URIRef
    TGFBetaSuperfamilyLigand: URIRef
    Adipokine: URIRef
    GrowthFactor: URIRef
    TypeICytokineReceptor: URIRef
    TypeIICytokineReceptor: URIRef
    IL1ReceptorFamilyMember: URIRef
    IL17ReceptorFamilyMember: URIRef
    TNFReceptorSuperfamilyMember: URIRef
    ChemokineReceptor: URIRef
    AtypicalChemokineReceptor: URIRef
    TGFBetaFamilyReceptor: URIRef
    TGFBetaTypeIReceptor: URIRef
    TGFBetaTypeIIReceptor: URIRef
    ReceptorTyrosineKinase: URIRef
    DecoyReceptor: URIRef
    PAQRReceptor: URIRef
    ImmunoglobulinSuperfamilyReceptor: URIRef
    SushiDomainReceptorAlphaChain: URIRef
    GP130FamilyCytokine: URIRef
    CommonGammaChainCytokine: URIRef
    BetaCommonCytokine: URIRef
    JAKSTATSignalingCytokine: URIRef
    TransSignalingCapableCytokine: URIRef
    Lymphokine: URIRef
    Monokine: URIRef

    # object properties
    hasReceptor: URIRef
    hasSubunit: URIRef
    hasLigandBindingSubunit: URIRef
    hasSignalTransducingSubunit: URIRef
    isFormOf: URIRef
    usesKinase: URIRef
    activatesSTAT: URIRef
    signalsVia: URIRef
    recruits: URIRef
    producedBy: URIRef
    actsOn: URIRef
    cleavedBy: URIRef
    cleavedFrom: URIRef
    processedByInflammasomeWith: URIRef
    releasedThrough: URIRef

    # annotation properties
    hgncSymbol: URIRef
    previousSymbol: URIRef
    aliasSymbol: URIRef
    commonName: URIRef
    evidence: URIRef
    hgncGeneGroup: URIRef
    hgncId: URIRef
    ncbiGeneId: URIRef
    ensemblGeneId: URIRef
    uniprotAccession: URIRef

    # model classes (issue 3)
    SignalingMode: URIRef
    SignalingMechanism: URIRef
    InflammatoryRole: URIRef
    RoleAssertion: URIRef
    DiseaseAssociation: URIRef
    AssociationKind: URIRef
    ChangeDirection: URIRef
    Drug: URIRef
    DrugMechanism: URIRef
    InhibitorOfCytokineProduction: URIRef
    InhibitorOfCytokineAction: URIRef
    InhibitorOfSignalTransduction: URIRef
    SuppressiveCytokineTherapy: URIRef
    SourceClaim: URIRef
    ResourceListing: URIRef
    Analyte: URIRef
    CurationStatus: URIRef

    # controlled-vocabulary individuals
    AutocrineSignaling: URIRef
    ParacrineSignaling: URIRef
    EndocrineSignaling: URIRef
    JuxtacrineSignaling: URIRef
    IntracrineSignaling: URIRef
    ClassicSignaling: URIRef
    TransSignaling: URIRef
    TransPresentation: URIRef
    DecoyBinding: URIRef
    AntagonistBound: URIRef
    ProInflammatory: URIRef
    AntiInflammatory: URIRef
    NotAsserted: URIRef
    Biomarker: URIRef
    PathogenicDriver: URIRef
    TherapeuticTarget: URIRef
    ApprovedDrugTarget: URIRef
    LossOfFunctionCause: URIRef
    SusceptibilityLocus: URIRef
    Elevated: URIRef
    Decreased: URIRef
    DiseaseActivity: URIRef
    NeutralisingAntibody: URIRef
    ReceptorBlockingAntibody: URIRef
    SolubleDecoyReceptor: URIRef
    RecombinantAntagonist: URIRef
    RecombinantCytokine: URIRef
    JAKInhibition: URIRef
    CytokineProductionInhibition: URIRef
    SmallMoleculeReceptorAntagonist: URIRef
    CellDepletingAntibody: URIRef
    ReceptorAgonist: URIRef
    CytokineFusionToxin: URIRef
    IgMRheumatoidFactor: URIRef
    AcutePhaseProteins: URIRef
    Asserted: URIRef
    Simplified: URIRef
    Disputed: URIRef
    Rejected: URIRef

    # model properties
    hasSignalingMode: URIRef
    signalingMechanism: URIRef
    roleOf: URIRef
    assertedRole: URIRef
    inducesExpressionOf: URIRef
    repressesExpressionOf: URIRef
    associatedEntity: URIRef
    associatedDisease: URIRef
    claimAboutDisease: URIRef
    associationKind: URIRef
    specimen: URIRef
    direction: URIRef
    comparedWith: URIRef
    correlatesWith: URIRef
    hasMechanism: URIRef
    hasTarget: URIRef
    treats: URIRef
    prevents: URIRef
    positivelyRegulates: URIRef
    negativelyRegulates: URIRef
    involvedIn: URIRef
    curationStatus: URIRef
    listedLigand: URIRef
    listedReceptor: URIRef
    listingVerdict: URIRef
    modelledAs: URIRef
    basedOnClaim: URIRef
    viaDrug: URIRef
    context: URIRef
    timing: URIRef
    claimId: URIRef
    claimText: URIRef
    correction: URIRef
    drugbankId: URIRef
    chebiId: URIRef
    approvalStatus: URIRef

    # qualifiers and notes on facts
    inCellType: URIRef
    cellState: URIRef
    CellState: URIRef
    ActivatedCell: URIRef
    StimulusInducedCell: URIRef
    ConstitutiveCell: URIRef
    PreformedStore: URIRef

    # claims and corrections
    Correction: URIRef
    correctedBy: URIRef
    contradictedBy: URIRef
    claimAbout: URIRef
    citesClaim: URIRef
    partOfCorrection: URIRef


#: Prefixes bound on every graph CytoKG writes.
PREFIXES: dict[str, str] = {
    "cyto": str(CYTO),
    "cytokg": BASE,
    "obo": str(OBO),
    "oboInOwl": str(OBOINOWL),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind CytoKG's prefixes on ``graph`` and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def obo_iri(curie: str) -> URIRef:
    """Turn an OBO CURIE into its PURL.

    >>> obo_iri("CL:0000235")
    rdflib.term.URIRef('http://purl.obolibrary.org/obo/CL_0000235')
    """
    prefix, _, local = curie.partition(":")
    return URIRef(f"{OBO}{prefix}_{local}")
