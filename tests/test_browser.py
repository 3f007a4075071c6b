"""A person in a real browser: headless Chromium (Debian's package) driven by Playwright against a live server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import need

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_home_search_entity_and_query_page(live_server: str) -> None:
    need(Path(CHROMIUM).exists(), "needs Debian's chromium: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extras)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(live_server + "/")
        assert "CytoKG" in page.title()
        page.fill("#search", "IL-6")
        page.wait_for_selector("#suggestions li")
        page.keyboard.press("Enter")
        page.wait_for_url("**/protein/HGNC_6018")
        assert page.locator("h1").inner_text() == "IL-6"
        assert page.locator("text=P05231").count() >= 1
        page.goto(live_server + "/query")
        page.select_option(
            "#examples", label="CQ16. Which receptor subunit is shared by the IL-6 family, and which cytokines use it?"
        )
        editor, run = page.locator("#highlight").bounding_box(), page.locator("#run").bounding_box()
        assert editor and run and editor["y"] + editor["height"] <= run["y"], "the highlighted query covers Run"
        permalink = page.locator("#permalink").get_attribute("href")
        assert permalink and permalink.startswith("/query?query=")
        page.click("#run")
        page.wait_for_selector("#results tr:nth-child(2)")
        rows = page.locator("#results tr").count() - 1
        assert rows >= 10
        assert "rows in" in page.locator("#status").inner_text()
        assert "IL-11" in page.locator("#results").inner_text()
        page.click("#results th >> nth=0")
        first = page.locator("#results tr:nth-child(2) td").first.inner_text()
        page.click("#results th >> nth=0")
        assert page.locator("#results tr:nth-child(2) td").first.inner_text() != first, "sorting by a column"
        page.goto(live_server + permalink)
        assert "cyto:hgncSymbol \"IL6ST\"" in page.locator("#query").input_value(), "a shared link opens its query"
        browser.close()
