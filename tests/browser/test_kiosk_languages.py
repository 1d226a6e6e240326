"""The kiosk pages in Spanish and Arabic: statuses and the role in words, amounts as the language writes them, and
no serious accessibility problem either way round."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import check_page

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "role", "election", "batch", "garden"),
    [
        ("es", "Sesión iniciada como Official One (personal electoral)", "abierta", "abierto", f"300.000{NBSP}€"),
        ("ar", "مسجّل الدخول باسم Official One (موظف)", "مفتوح", "مفتوحة", f"\u200f300.000{NBSP}€"),
    ],
)
def test_kiosk_pages_in_the_official_language(
    site: Site, page: Page, lang: str, role: str, election: str, batch: str, garden: str
) -> None:
    page.goto(f"{site.url}/kiosk?lang={lang}")
    page.locator("#token").fill(site.official)
    page.locator("form[action='/kiosk/signin'] button").click()
    expect(page.locator(".kiosk-bar p")).to_have_text(role)
    expect(page.locator("li", has_text="Riverside 2026").locator(".status-pill")).to_have_text(election)
    check_page(page, f"kiosk-home-{lang}")
    page.goto(f"{site.url}/kiosk/{site.elections['riverside']}")
    assert page.locator("#project-numbers li").first.text_content() == f"Community garden · {garden}"
    page.locator("#label").fill(f"Box {lang}")
    page.locator("#envelopes").fill("1")
    page.locator("form[action$='/batches/'] button").click()
    expect(page.locator("#batch-status")).to_have_text(batch)
    page.locator("#numbers").press_sequentially("1")
    assert garden in (page.locator("#running").text_content() or "")
    check_page(page, f"kiosk-batch-{lang}")
