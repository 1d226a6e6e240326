"""The budget meter on a 390 px phone: every label on one or two lines, in Spanish and French (the longest) and in
Arabic, laid out from the right."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import check_page

LINE_LABELS = {"es": "Línea de inversión: parks", "fr": "Ligne budgétaire : parks", "ar": "البند: parks"}


def _sign_in(page: Page, site: Site, code: str, lang: str) -> None:
    page.goto(f"{site.url}/vote/{site.elections['riverside']}?lang={lang}")
    page.locator("#credential").fill(code)
    page.locator("button[type=submit]").click()
    expect(page.locator("form#ballot")).to_be_visible()


@pytest.mark.parametrize("code", ["es", "fr", "ar"])
def test_the_meter_reads_on_a_phone(site: Site, page: Page, code: str) -> None:
    # the page at 390 px: each meter's label on one or two lines, and laid out from the right in Arabic
    _sign_in(page, site, site.codes["riverside"][11], code)
    page.locator("#p-1").check()
    label = page.locator(".meter-row").nth(1).locator("label")
    expect(label).to_have_text(LINE_LABELS[code])
    for row in page.locator(".meter-row").all():
        box = row.locator("label").bounding_box()
        line = float(row.locator("label").evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box is not None
        assert box["height"] <= 2 * line + 1, f"{code}: a meter label wraps to more than two lines"
    row_box, label_box = page.locator(".meter-row").nth(1).bounding_box(), label.bounding_box()
    assert row_box is not None
    assert label_box is not None
    if code == "ar":
        assert abs((row_box["x"] + row_box["width"]) - (label_box["x"] + label_box["width"])) < 2
    else:
        assert abs(row_box["x"] - label_box["x"]) < 2
    check_page(page, f"vote-meter-{code}")
