"""Every ligand-receptor pair the expert resources list gets CytoKG's verdict, and bindings cite the resources."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from cytokg.compile.curated import load_curated, read_parts
from cytokg.compile.listings import LISTED_EVIDENCE, pair_key, reconcile
from cytokg.curation.ligand_receptors import curate_listings
from cytokg.errors import InputError

from .conftest import ONTOLOGY, need_refdata, select

LISTINGS = "ligand_receptor_listings.tsv"
VERDICTS = "ligand_receptor_verdicts.tsv"
CYTO = "https://w3id.org/cytokg/vocab/"


def test_the_listings_table_is_current_with_the_reference_file(tmp_path: Path) -> None:
    """`cytokg curate ligand-receptors` on ../shared/refdata rewrites the committed table byte for byte."""
    refdata = need_refdata()
    out = tmp_path / LISTINGS
    catalog = {row["symbol"] for row in read_parts(ONTOLOGY / "data", "gene_products.tsv") if row["kind"] == "cytokine"}
    count = curate_listings(
        refdata / "ligand_receptor" / "omni_resource.csv", refdata / "hgnc" / "hgnc_cytokines.tsv", catalog, out
    )
    assert count > 800
    assert out.read_bytes() == (ONTOLOGY / "data" / LISTINGS).read_bytes(), "run `cytokg curate ligand-receptors`"


def test_every_listed_pair_has_a_verdict() -> None:
    reconciled = reconcile(load_curated(ONTOLOGY))
    assert len(reconciled) > 800
    assert all(item.asserted == bool(item.bindings) for item in reconciled)
    assert all(item.reason for item in reconciled if not item.asserted), "a pair CytoKG declines says why"
    classic = next(item for item in reconciled if item.key == ("IL6", "IL6R_IL6ST"))
    assert classic.asserted and classic.match == "same chains"
    assert {b.complex_id for b in classic.bindings} >= {"IL6R-IL6ST-classic"}


def _append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_a_listed_pair_without_a_verdict_stops_the_build(ontology_copy: Path) -> None:
    line = _append(ontology_copy / "data" / LISTINGS, "IL6\tCD4\tcellphonedb|cellchatdb")
    with pytest.raises(InputError) as caught:
        reconcile(load_curated(ontology_copy))
    assert caught.value.path.name == LISTINGS and caught.value.line == line
    assert "IL6 → CD4 is listed by cellphonedb, cellchatdb but has no CytoKG verdict" in str(caught.value)


def test_a_verdict_must_name_a_real_binding_of_its_ligand(ontology_copy: Path) -> None:
    _append(ontology_copy / "data" / LISTINGS, "IL6\tCD4\tcellphonedb")
    line = _append(ontology_copy / "data" / VERDICTS, "IL6\tCD4\tasserted\tIL2RB-IL2RG\tfixture")
    with pytest.raises(InputError) as caught:
        reconcile(load_curated(ontology_copy))
    assert caught.value.path.name == VERDICTS and caught.value.line == line
    assert "no binding of IL6 (or a cytokine it is part of) to 'IL2RB-IL2RG'" in str(caught.value)


def test_a_declined_pair_is_kept_with_its_reason(ontology_copy: Path) -> None:
    _append(ontology_copy / "data" / LISTINGS, "IL6\tCD4\tcellphonedb")
    _append(ontology_copy / "data" / VERDICTS, "IL6\tCD4\tnot asserted\t\tCD4 is not an IL-6 receptor (fixture).")
    declined = next(item for item in reconcile(load_curated(ontology_copy)) if item.key == ("IL6", "CD4"))
    assert not declined.asserted and declined.reason == "CD4 is not an IL-6 receptor (fixture)."


def test_pair_keys_sort_the_genes() -> None:
    assert pair_key(["IL12B", "IL12A"], ["IL12RB2", "IL12RB1"]) == ("IL12A_IL12B", "IL12RB1_IL12RB2")


def test_bindings_cite_the_resources_that_list_them(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    rows = select(
        store,
        f"""PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?source ?eco WHERE {{
          ?ax owl:annotatedSource <https://w3id.org/cytokg/protein/HGNC_6018> ;
              owl:annotatedProperty <{CYTO}hasReceptor> ;
              owl:annotatedTarget <https://w3id.org/cytokg/complex/IL6R-IL6ST-classic> ;
              dcterms:source ?source ; <{CYTO}evidence> ?eco }}""",
    )
    cited = {row["source"].value.rsplit("/", 1)[-1]: row["eco"].value.rsplit("/", 1)[-1] for row in rows}
    assert {"cellphonedb", "cellchatdb"} <= set(cited)
    assert cited["cellphonedb"] == LISTED_EVIDENCE.replace(":", "_")


def test_listing_nodes_and_the_report(built: Path) -> None:
    store = pyoxigraph.Store.read_only(str(built / "oxigraph"))
    declined = select(
        store,
        f"""SELECT ?listing ?reason WHERE {{ ?listing <{CYTO}listingVerdict> <{CYTO}NotAsserted> ;
            <http://www.w3.org/2000/01/rdf-schema#comment> ?reason }}""",
    )
    assert declined and all(row["reason"].value for row in declined)
    report = (built / "reports" / "ligand-receptor.md").read_text(encoding="utf-8")
    assert "| CytoKG |" in report and "| CellPhoneDB (on pairs two others agree on) |" in report
    assert "gold set" in report


def test_a_verdict_on_an_unlisted_pair_must_explain_a_binding(ontology_copy: Path) -> None:
    """CytoKG's own pairs that no resource lists may carry an 'asserted' verdict, which must match a binding."""
    line = _append(ontology_copy / "data" / VERDICTS, "IL6\tCD4\tnot asserted\t\tfixture")
    with pytest.raises(InputError) as caught:
        reconcile(load_curated(ontology_copy))
    assert caught.value.path.name == VERDICTS and caught.value.line == line
    assert "IL6 → CD4 is not listed by any resource" in str(caught.value)
