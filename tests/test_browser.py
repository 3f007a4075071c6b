"""A person in a real browser: headless Chromium (Debian's package) driven by Playwright against a live server."""

from __future__ import annotations

from typing import Any


def test_home_search_and_entity_page(chromium: Any, live_server: str) -> None:
    page = chromium.new_page()
    page.goto(live_server + "/")
    assert "CytoKG" in page.title()
    page.fill("#search", "IL-6")
    page.wait_for_selector("#suggestions li")
    page.keyboard.press("Enter")
    page.wait_for_url("**/protein/HGNC_6018")
    assert page.locator("h1").inner_text() == "IL-6"
    assert page.locator("text=P05231").count() >= 1
    page.close()
