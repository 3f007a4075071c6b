"""Every kind of entity page in headless Chromium at 1400 x 1000: the summary is above the fold.

Screenshots go to build/reports/screens/<kind>.png for a reviewer to look at.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ROOT

SCREENS = ROOT / "build" / "reports" / "screens"
#: One page of each kind: kind → path.
PAGES = {
    "gene-product": "/protein/HGNC_6018",
    "complex": "/complex/IL6R-IL6ST-trans",
    "form": "/form/IL6R-soluble",
    "drug": "/drug/DB06273",
    "disease": "/obo/MONDO_0008383",
    "cell-type": "/obo/CL_0000235",
    "process": "/obo/GO_0006954",
    "anatomy": "/obo/UBERON_0001969",
    "source": "/source/src-003",
    "claim": "/claim/C003-27",
}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_summary_is_above_the_fold(chromium: Any, live_server: str, kind: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(live_server + PAGES[kind])
    page.screenshot(path=str(SCREENS / f"{kind}.png"))
    box = page.locator("#summary").bounding_box()
    assert box is not None and page.locator("#summary").is_visible()
    assert box["y"] + box["height"] <= 1000, f"the summary ends {box['y'] + box['height']:.0f} px down"
    assert page.locator("#summary h1").inner_text().strip(), "a name"
    assert page.locator("#summary .entity-kind").inner_text().strip(), "a kind"
    if kind != "claim":
        assert page.locator("#summary .ids a, details.table").count() >= 1, "identifiers or sections"
    page.close()


def test_il6_page_is_short(chromium: Any, live_server: str) -> None:
    """The IL-6 page was 11,263 px tall with its identifiers 4,500 px down; long sections now fold."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(live_server + "/protein/HGNC_6018")
    uniprot = page.locator("#summary a[href='https://www.uniprot.org/uniprotkb/P05231/entry']").bounding_box()
    assert uniprot is not None and uniprot["y"] < 1000, "the UniProt link is above the fold"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the IL-6 page is {height} px tall"
    page.click("#disease-associations > summary")
    assert page.locator("#disease-associations table").is_visible(), "a folded section opens"
    page.close()
