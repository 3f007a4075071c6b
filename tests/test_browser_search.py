"""A person in Chromium finds one entity of every kind by typing its name in the header's search box."""

from __future__ import annotations

from typing import Any

from .conftest import ROOT

SCREENS = ROOT / "build" / "reports" / "screens"

#: (what a person types, the kind the first suggestion shows, the page Enter opens).
SEARCHES = [
    ("IL-6", "gene product", "/protein/HGNC_6018"),
    ("IL-12", "cytokine", "/cytokine/IL-12"),
    ("CCR5 chemokine receptor", "receptor complex", "/complex/CCR5"),
    ("sIL-6R", "protein form", "/form/IL6R-soluble"),
    ("tocilizumab", "drug", "/drug/DB06273"),
    ("rheumatoid arthritis", "disease", "/obo/MONDO_0008383"),
    ("macrophage", "cell type", "/obo/CL_0000235"),
    ("inflammatory response", "biological process", "/obo/GO_0006954"),
    ("synovial fluid", "anatomy", "/obo/UBERON_0001090"),
    ("alpha-hydroxy ketone", "chemical", "/obo/CHEBI_139588"),
    ("Cleveland Clinic", "source", "/source/src-001"),
    ("tocilizumab is a humanized monoclonal antibody", "source claim", "/claim/C003-26"),
    ("in synovial fluid, correlates with acute-phase proteins", "disease association", "/association/A-C000-35"),
]


def test_search_box_finds_every_kind(chromium: Any, live_server: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    for text, kind, path in SEARCHES:
        page.goto(live_server + "/search")
        page.fill("#search", text)
        first = page.locator("#suggestions li").first
        first.wait_for()
        assert first.get_attribute("data-kind") == kind, (text, first.inner_text())
        assert first.locator("small").inner_text(), "each suggestion says why it matched"
        page.screenshot(path=str(SCREENS / f"search-{kind.replace(' ', '-')}.png"))
        page.keyboard.press("Enter")
        page.wait_for_url(live_server + path)
    page.goto(live_server + "/search?q=arthritis")
    kinds = set(page.locator(".results li").evaluate_all("items => items.map(item => item.dataset.kind)"))
    assert {"disease", "disease association", "source claim"} <= kinds, kinds
    page.screenshot(path=str(SCREENS / "search-results-page.png"), full_page=False)
    page.close()
