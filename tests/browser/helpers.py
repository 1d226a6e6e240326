"""Looking at a page as people do: axe-core's accessibility audit and screenshots at phone and desktop width."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now.

    axe is evaluated through the DevTools protocol, so the page's Content-Security-Policy stays on.
    """
    page.evaluate(AXE_SOURCE)
    result: dict[str, Any] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def check_page(page: Page, name: str) -> None:
    """Audit the page with axe-core and save its screenshots at phone and desktop width (JavaScript must be on)."""
    assert axe_violations(page) == [], f"{name}: axe-core found serious or critical violations"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    if size is not None:
        page.set_viewport_size(size)
