"""Money in the resident's language, the same from the page's script as from the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from api.i18n import LANGUAGES
from tests.browser.conftest import Site
from tests.unit.api.number_cases import CASES, NBSP, NNBSP, RLM


def _sign_in(page: Page, site: Site, code: str, lang: str) -> None:
    page.goto(f"{site.url}/vote/{site.elections['riverside']}?lang={lang}")
    page.locator("#credential").fill(code)
    page.locator("button[type=submit]").click()
    expect(page.locator("form#ballot")).to_be_visible()


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_the_script_writes_money_as_the_server_does(site: Site, page: Page, code: str) -> None:
    page.goto(f"{site.url}/receipt?lang={code}")
    page.add_script_tag(url=f"{site.url}/static/pages/money.js")
    cases = [list(case) for case, _ in CASES]
    written = page.evaluate("cases => cases.map(([a, c, e]) => window.pbvoteNumbers.money(a, c, e))", cases)
    assert written == [expected[code] for _, expected in CASES]


@pytest.mark.parametrize(
    ("code", "index", "meter", "line", "total"),
    [
        # garden 300,000 + street lighting 200,000 of 1,000,000; the parks line: garden 300,000 of 500,000
        ("es", 0, f"500.000{NBSP}€ de 1.000.000{NBSP}€", f"300.000{NBSP}€ de 500.000{NBSP}€", f"500.000{NBSP}€"),
        (
            "fr",
            1,
            f"500{NNBSP}000{NBSP}€ sur 1{NNBSP}000{NNBSP}000{NBSP}€",
            f"300{NNBSP}000{NBSP}€ sur 500{NNBSP}000{NBSP}€",
            f"500{NNBSP}000{NBSP}€",
        ),
        (
            "ru",
            2,
            f"500{NBSP}000{NBSP}€ из 1{NBSP}000{NBSP}000{NBSP}€",
            f"300{NBSP}000{NBSP}€ из 500{NBSP}000{NBSP}€",
            f"500{NBSP}000{NBSP}€",
        ),
        (
            "ar",
            3,
            f"{RLM}500.000{NBSP}€ من {RLM}1.000.000{NBSP}€",
            f"{RLM}300.000{NBSP}€ من {RLM}500.000{NBSP}€",
            f"{RLM}500.000{NBSP}€",
        ),
    ],
)
def test_the_live_meter_speaks_the_page_language(
    site: Site, page: Page, code: str, index: int, meter: str, line: str, total: str
) -> None:
    _sign_in(page, site, site.codes["riverside"][8 + index], code)
    page.locator("#p-1").check()
    page.locator("#p-4").check()
    assert page.locator("#meter-total-text").text_content() == meter
    assert page.locator("#meter-1-text").text_content() == line
    page.locator("form#ballot button[type=submit]").click()
    # the server's total on the review page is written as the script wrote the meter
    assert page.locator("table.review tfoot td").text_content() == total
