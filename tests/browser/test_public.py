"""The public pages: results with the chart and the rule explained, live turnout, a missing receipt."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import check_page


def test_results_page_shows_the_tally(site: Site, page: Page) -> None:
    harbour = site.elections["harbour"]
    page.goto(f"{site.url}/results/{harbour}")
    # Hand-worked from the seeded ballots (most approvals first, skipping what no longer fits):
    # North (60,000): n2 12 votes 40,000 funded; n1 8 votes 30,000 does not fit (70,000); n3 6 votes 25,000 neither.
    # South (40,000): s1 11 votes 20,000 funded; s2 4 votes 30,000 does not fit (50,000).
    tables = page.locator("table.results")
    expect(tables).to_have_count(2)
    expect(tables.nth(0).locator("tbody tr")).to_have_text([re.compile(r"North crossing\s*€40,000\s*12")])
    expect(tables.nth(1).locator("tbody tr")).to_have_text([re.compile(r"South trees\s*€20,000\s*11")])
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.locator("svg.chart rect.bar-votes")).to_have_count(5)
    expect(page.get_by_text("Projects were taken in order of votes, most first.").first).to_be_visible()
    shown_hash = page.locator("code.hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", shown_hash)
    href = page.get_by_role("link", name="Download the election record").get_attribute("href")
    record = page.request.get(f"{site.url}{href}")
    assert record.ok
    assert record.json()["election_hash"] == shown_hash
    check_page(page, "results")
    page.goto(f"{site.url}/results/{harbour}?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_page(page, "results-ar")


def test_turnout_hides_small_groups(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/turnout/{site.elections['harbour']}")
    expect(page.get_by_text("Ballots counted so far: 25.")).to_be_visible()
    district, channel = page.locator("table.turnout").all()
    expect(district.locator("tbody tr")).to_have_text([re.compile(r"North\s*14"), re.compile(r"South\s*11")])
    expect(channel.locator("tbody tr")).to_have_text([re.compile(r"Online\s*25")])
    check_page(page, "turnout")
    # Riverside has fewer than 10 ballots in every channel (one more cast here, whatever ran before): all hidden
    body = {"credential": {"kind": "code", "value": site.codes["riverside"][7]}, "selections": ["k5"]}
    assert (
        page.request.post(f"{site.url}/api/v1/elections/{site.elections['riverside']}/ballots", data=body).status == 201
    )
    page.goto(f"{site.url}/turnout/{site.elections['riverside']}")
    expect(page.locator("table.turnout tbody tr")).to_have_text([re.compile(r"Smaller groups\s*hidden")])


def test_unknown_receipt_and_missing_election(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/receipt")
    check_page(page, "receipt-form")
    page.goto(f"{site.url}/")
    expect(page.get_by_role("link", name="Vote")).to_have_attribute("href", f"/vote/{site.elections['riverside']}")
    check_page(page, "home")
    page.goto(f"{site.url}/receipt")
    page.get_by_label("Receipt code").fill("0000-0000-0000-0000-0000")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("heading", name="No counted ballot has this receipt")).to_be_visible()
    response = page.goto(f"{site.url}/vote/999")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    check_page(page, "not-found")
