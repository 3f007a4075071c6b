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


def test_home_search_and_entity_page(live_server: str) -> None:
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
        browser.close()
