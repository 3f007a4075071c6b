"""The query page in headless Chromium: every example runs, links share and run a query, results chart and link up.

Screenshots go to build/reports/screens/query-*.png for a reviewer to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import ROOT

SCREENS = ROOT / "build" / "reports" / "screens"
ANSWERED = re.compile(r"^\d+ rows in \d+ ms")
FAMILY_SIZES = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?family (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?class rdfs:subClassOf+ cyto:Cytokine ; rdfs:label ?family . ?member a ?class
} GROUP BY ?family ORDER BY DESC(?members) ?family"""
IL6_FAMILY_RECEPTORS = """PREFIX cyto: <https://w3id.org/cytokg/vocab/>
SELECT ?cytokine ?complex WHERE {
  ?cytokine cyto:hasReceptor ?complex . ?complex cyto:hasSignalTransducingSubunit/cyto:hgncSymbol "IL6ST"
} ORDER BY ?cytokine ?complex"""


@pytest.fixture()
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A Chromium page at 1400 by 1000 pixels on the live server, allowed to use the clipboard (its own context)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    yield context.new_page()
    context.close()


def _answered(page: Any) -> str:
    """The status line once the query has answered (or failed)."""
    page.wait_for_function("!['', 'running…'].includes(document.getElementById('status').textContent)")
    return str(page.locator("#status").inner_text())


def _uncovered(page: Any, selector: str) -> bool:
    """Whether the element itself is what a click at its centre hits."""
    return bool(
        page.evaluate(
            """(selector) => { const el = document.querySelector(selector), box = el.getBoundingClientRect();
                 el.scrollIntoView({block: "center"});
                 const again = el.getBoundingClientRect();
                 const hit = document.elementFromPoint(again.x + again.width / 2, again.y + again.height / 2);
                 return box.width > 0 && (hit === el || el.contains(hit)); }""",
            selector,
        )
    )


def test_every_example_loads_and_runs_with_its_controls_uncovered(page: Any) -> None:
    page.goto("/query")
    options = page.locator("#examples option").all()[1:]
    assert len(options) >= 30, "the query page lists the curated examples"
    failed = []
    for option in options:
        title = option.inner_text()
        page.select_option("#examples", label=title)
        assert "PREFIX" in page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"), title
        for control in ("#run", "#share", "#download-csv", "#download-json", "#status"):
            editor, box = page.locator(".CodeMirror").bounding_box(), page.locator(control).bounding_box()
            below = editor and box and editor["y"] + editor["height"] <= box["y"]
            assert below, f"{title}: the editor covers {control}"
            if control != "#status":
                assert _uncovered(page, control), f"{title}: something covers {control}"
        page.click("#run")
        status = _answered(page)
        if not ANSWERED.match(status):
            failed.append(f"{title}: {status}")
        if title.startswith("CQ16."):
            page.screenshot(path=str(SCREENS / "query-example.png"), full_page=True)
    assert not failed, failed


def test_a_shared_link_opens_and_runs_the_query(page: Any, live_server: str) -> None:
    page.goto("/query")
    page.evaluate(f"document.querySelector('.CodeMirror').CodeMirror.setValue({IL6_FAMILY_RECEPTORS!r})")
    page.click("#share")
    page.wait_for_function("document.getElementById('status').textContent === 'link copied'")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{live_server}/query?query={quote(IL6_FAMILY_RECEPTORS, safe='')}"
    assert page.url == link, "the address bar shows the shared link too"
    fresh = page.context.new_page()
    fresh.goto(link)
    assert ANSWERED.match(_answered(fresh)), "a shared link runs its query without a click"
    assert fresh.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()") == IL6_FAMILY_RECEPTORS
    assert fresh.locator("#results a[href='/protein/HGNC_6018']").count() >= 1, "IL-6 uses gp130"
    fresh.screenshot(path=str(SCREENS / "query-shared.png"), full_page=True)


def test_a_label_and_a_count_show_as_a_bar_chart(page: Any) -> None:
    page.goto("/query?query=" + quote(FAMILY_SIZES, safe=""))
    rows = int(_answered(page).split()[0])
    assert rows >= 5
    assert page.locator("#views [data-view=network]").is_hidden(), "no network without two entity columns"
    page.click("#views [data-view=chart]")
    assert page.locator("#results").is_hidden()
    bars = page.locator("#chart rect.bar")
    assert bars.count() == min(rows, 60)
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(bars.count())]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1], "bar lengths follow the counts"
    first = page.locator("#results tr:nth-child(2) td").first.text_content()
    assert page.locator("#chart g text").first.text_content() == first, "the first bar is labelled by the first row"
    page.screenshot(path=str(SCREENS / "query-chart.png"), full_page=True)


def test_two_entity_columns_show_as_a_network(page: Any) -> None:
    page.goto("/query?query=" + quote(IL6_FAMILY_RECEPTORS, safe=""))
    status = _answered(page)
    assert ANSWERED.match(status), status
    assert page.locator("#views [data-view=chart]").is_hidden(), "no chart without a numeric column"
    il6_cell = page.locator("#results a[href='/protein/HGNC_6018']").first
    assert il6_cell.get_attribute("title") == "https://w3id.org/cytokg/protein/HGNC_6018"
    assert "HGNC_" not in page.locator("#results").inner_text(), "the table shows entities by their labels"
    page.click("#views [data-view=network]")
    cells = page.locator("#results td a")
    cytokines = {cells.nth(i).get_attribute("href") for i in range(0, cells.count(), 2)}
    complexes = {cells.nth(i).get_attribute("href") for i in range(1, cells.count(), 2)}
    nodes = page.locator("#network a.node")
    assert nodes.count() == len(cytokines) + len(complexes), "one node per distinct entity on each side"
    assert page.locator("#network line.edge").count() == int(status.split()[0]), "one edge per row"
    il6 = page.locator("#network a.node[href='/protein/HGNC_6018']")
    assert il6.count() == 1 and il6.is_visible()
    shown = page.locator("#network a.node text").all_text_contents()
    local = {(nodes.nth(i).get_attribute("href") or "").rsplit("/", 1)[-1] for i in range(nodes.count())}
    keys = [text for text in shown if text in local]
    assert not keys, f"nodes show their labels, not IRI keys: {keys}"
    assert il6.locator("text").text_content() == "IL-6", "a node shows the entity's label"
    page.screenshot(path=str(SCREENS / "query-network.png"), full_page=True)
    il6.click()
    page.wait_for_url("**/protein/HGNC_6018")


def test_the_editor_completes_prefixes_and_names(page: Any) -> None:
    page.goto("/query")
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('')")
    page.click(".CodeMirror-code")
    page.keyboard.type("PREFIX ")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    page.keyboard.press("Enter")
    page.keyboard.type("\nSELECT * WHERE { ?drug ?p tocilizu")
    page.wait_for_selector(".CodeMirror-hints li")
    assert page.locator(".CodeMirror-hints li").first.inner_text().lower().startswith("tocilizumab")
    page.keyboard.press("Enter")
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text.startswith("PREFIX cyto: <https://w3id.org/cytokg/vocab/>\n"), text
    assert text.endswith("?p <https://w3id.org/cytokg/drug/DB06273>"), "the name becomes the drug's IRI"
