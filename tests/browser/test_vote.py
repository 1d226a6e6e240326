"""A resident votes on the phone, in English and in Arabic; over-budget and too-few choices are refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, Site
from tests.browser.helpers import check_page

RECEIPT = r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}"  # five groups of four Crockford base-32 digits


def _sign_in(page: Page, site: Site, code: str, lang: str = "") -> None:
    suffix = f"?lang={lang}" if lang else ""
    page.goto(f"{site.url}/vote/{site.elections['riverside']}{suffix}")
    page.locator("#credential").fill(code)
    page.locator("button[type=submit]").click()


def test_resident_votes_in_english(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/vote/{site.elections['riverside']}")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    check_page(page, "vote-start")
    page.get_by_label("Your voting code or census identifier").fill(site.codes["riverside"][0])
    page.get_by_role("button", name="Start voting").click()

    expect(page.get_by_role("heading", name="Your ballot", exact=True)).to_be_visible()
    expect(page.get_by_text("Projects to choose: 1 to 4. You can spend up to €1,000,000.")).to_be_visible()
    meter = page.get_by_role("meter", name="Budget used")
    expect(meter).to_be_visible()
    # keyboard only: focus the first card's box and tick it with the space bar
    page.locator("#p-1").focus()
    page.keyboard.press("Space")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused checkbox shows no focus outline"
    page.get_by_label("4. Street lighting").check()
    # Community garden 300,000 + Street lighting 200,000 (hand-added)
    expect(page.locator("#meter-total-text")).to_have_text("€500,000 of €1,000,000")
    expect(page.locator("#meter-1-text")).to_have_text("€300,000 of €500,000")
    check_page(page, "vote-ballot")
    page.get_by_role("button", name="Review my ballot").click()

    expect(page.get_by_role("heading", name="Review your ballot")).to_be_visible()
    expect(page.locator("table.review tbody tr")).to_have_count(2)
    expect(page.locator("table.review tfoot")).to_contain_text("€500,000")
    # the two optional questions: "prefer not to say" unless the resident picks an answer
    expect(page.get_by_label("Gender")).to_have_value("")
    page.get_by_label("Gender").select_option(label="Woman")
    page.get_by_label("Age group").select_option(label="30 to 44")
    check_page(page, "vote-review")
    page.get_by_role("button", name="Confirm my vote").click()

    expect(page.get_by_role("heading", name="Thank you for voting")).to_be_visible()
    receipt = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(RECEIPT, receipt)
    expect(page.locator("svg.qr-code")).to_have_attribute("aria-label", "QR code linking to the receipt check page")
    check_page(page, "vote-receipt")

    page.get_by_role("link", name="Participation certificate").click()
    expect(page.locator(".certificate")).to_contain_text(receipt)
    check_page(page, "certificate")
    page.go_back()

    page.get_by_role("link", name="Check this receipt").click()
    expect(page.get_by_role("heading", name="This ballot is in the record")).to_be_visible()
    check_page(page, "receipt-check")


def test_resident_votes_in_arabic(site: Site, page: Page) -> None:
    _sign_in(page, site, site.codes["riverside"][1], lang="ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("ورقة اقتراعك")
    # the project texts the city gave in Arabic
    page.get_by_label("حديقة مجتمعية").check()
    page.get_by_label("ممرات الدراجات").check()
    check_page(page, "vote-ballot-ar")
    page.locator("form#ballot button[type=submit]").click()
    expect(page.locator("table.review tbody tr")).to_have_count(2)
    check_page(page, "vote-review-ar")
    page.locator("form[action$='/confirm'] button").click()
    expect(page.locator("#receipt-code")).to_have_text(re.compile(RECEIPT))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_page(page, "vote-receipt-ar")


def test_over_budget_is_refused_in_the_browser(site: Site, page: Page) -> None:
    _sign_in(page, site, site.codes["riverside"][2])
    page.get_by_label("3. Bike lanes").check()
    page.get_by_label("1. Community garden").check()
    page.get_by_label("4. Street lighting").check()
    # 450,000 + 300,000 + 200,000 = 950,000; the bus shelters (120,000) would make 1,070,000
    page.locator("#p-6").click()
    expect(page.locator("#p-6")).not_to_be_checked()
    expect(page.locator("#live")).to_have_text("Your choices cost €1,070,000, more than the €1,000,000 you can spend.")
    expect(page.locator("#meter-total-text")).to_have_text("€950,000 of €1,000,000")
    # the parks line: without the bike lanes the total (750,000) fits, but garden 300,000 + playground 250,000
    # = 550,000 is over the 500,000 parks cap
    page.locator("#p-3").uncheck()
    page.locator("#p-2").click()
    expect(page.locator("#p-2")).not_to_be_checked()
    expect(page.locator("#live")).to_have_text(
        "Your choices in parks cost €550,000, more than the €500,000 allowed for that line."
    )
    check_page(page, "vote-over-budget")
    # the category filter (shown only with the script) hides the other categories' cards, not their choices
    page.get_by_label("Show category").select_option("mobility")
    expect(page.locator("li.project:visible .name")).to_have_text(["Bike lanes", "Bus shelters"])
    page.get_by_label("Show category").select_option("")
    expect(page.locator("li.project:visible")).to_have_count(6)


def test_too_few_is_refused_in_the_browser(site: Site, page: Page) -> None:
    _sign_in(page, site, site.codes["riverside"][3])
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.locator("#live")).to_have_text("Projects chosen: 0. Choose at least 1.")
    expect(page.get_by_role("heading", name="Your ballot", exact=True)).to_be_visible()


@pytest.mark.parametrize(
    ("boxes", "messages"),
    [
        (
            ["#p-1", "#p-3", "#p-4", "#p-6"],
            ["Your choices cost €1,070,000, more than the €1,000,000 you can spend."],
        ),
        ([], ["Projects chosen: 0. Choose at least 1."]),
        (
            ["#p-1", "#p-2", "#p-4", "#p-5", "#p-6"],
            [
                "Projects chosen: 5. Choose at most 4.",
                "Your choices cost €1,020,000, more than the €1,000,000 you can spend.",
                "Your choices in parks cost €550,000, more than the €500,000 allowed for that line.",
            ],
        ),
    ],
)
def test_server_refuses_without_javascript(site: Site, browser: Browser, boxes: list[str], messages: list[str]) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, site, site.codes["riverside"][4])
        for box in boxes:
            page.locator(box).check()
        page.get_by_role("button", name="Review my ballot").click()
        expect(page.locator("#form-errors li")).to_have_text(messages)
        expect(page.get_by_role("heading", name="Your ballot", exact=True)).to_be_visible()
    finally:
        context.close()


def test_server_error_page_is_accessible(site: Site, page: Page) -> None:
    # without the page's script (blocked here so that axe-core can still run), the server's answer shows the reasons
    page.route("**/static/pages/vote.js", lambda route: route.abort())
    _sign_in(page, site, site.codes["riverside"][5])
    for box in ("#p-1", "#p-3", "#p-4", "#p-6"):
        page.locator(box).check()
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.locator("#form-errors li")).to_have_text(
        ["Your choices cost €1,070,000, more than the €1,000,000 you can spend."]
    )
    check_page(page, "vote-refused-by-server")
