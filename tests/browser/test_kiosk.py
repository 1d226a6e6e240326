"""Officials at a kiosk: check a resident in and record their ballot; key a paper batch twice, resolve, reconcile."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.browser.helpers import check_page

RECEIPT = r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}"  # five groups of four Crockford base-32 digits


def _sign_in(page: Page, site: Site, token: str) -> None:
    page.goto(f"{site.url}/kiosk")
    page.get_by_label("Staff token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Kiosk", exact=True)).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Kiosk sign-in")).to_be_visible()


def _key(page: Page, numbers: str, saved: str) -> None:
    page.get_by_label("Project numbers, separated by spaces").fill(numbers)
    page.get_by_role("button", name="Save and go to the next paper").click()
    expect(page.get_by_role("status").filter(has_text=saved)).to_be_visible()


def test_official_checks_in_a_resident_and_records_the_ballot(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/kiosk")
    check_page(page, "kiosk-signin")
    _sign_in(page, site, site.official)
    check_page(page, "kiosk-home")
    page.get_by_role("link", name="Riverside 2026").click()
    page.get_by_label("Voting code or census identifier").fill(site.codes["riverside"][6])
    page.get_by_label("Age group").select_option(label="65 or over")
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_text(re.compile(rf"Checked in\. Code: {RECEIPT}"))).to_be_visible()
    entry = page.get_by_label("Project numbers, separated by spaces")
    entry.press_sequentially("1 4")
    # Community garden 300,000 + Street lighting 200,000
    expect(page.locator("#running")).to_have_text("Total: €500,000 · projects: 2")
    check_page(page, "kiosk-checkin")
    page.get_by_role("button", name="Record the ballot").click()
    expect(page.get_by_text(re.compile(rf"Ballot recorded\. Receipt: {RECEIPT}"))).to_be_visible()


def test_paper_batch_keyed_twice_mismatch_resolved(site: Site, page: Page) -> None:
    _sign_in(page, site, site.official)
    page.goto(f"{site.url}/kiosk/{site.elections['riverside']}")
    page.get_by_label("Batch label").fill("Box 1")
    page.get_by_label("Number of envelopes").fill("2")
    page.get_by_role("button", name="Open a batch").click()
    expect(page.get_by_role("heading", name="Paper 1 of 2")).to_be_visible()
    batch_url = page.url

    entry = page.get_by_label("Project numbers, separated by spaces")
    entry.press_sequentially("1 9")
    expect(page.locator("#running")).to_have_text("Total: €300,000 · projects: 1 · There is no project number 9.")
    check_page(page, "kiosk-paper-entry")
    _key(page, "1 4", "Paper 1 saved (keying 1).")
    expect(page.get_by_role("heading", name="Paper 2 of 2")).to_be_visible()
    _key(page, "3 6", "Paper 2 saved (keying 1).")
    _sign_out(page)

    _sign_in(page, site, site.official2)
    page.goto(batch_url)
    _key(page, "4 1", "Paper 1 saved (keying 2).")
    _key(page, "3 5", "Paper 2 saved (keying 2).")
    expect(page.locator("#differ-count")).to_have_text("1")
    _sign_out(page)

    _sign_in(page, site, site.admin)
    page.goto(batch_url)
    row = page.locator("table tr", has_text="3 6")
    expect(row).to_contain_text("3 5")
    check_page(page, "kiosk-mismatch")
    page.get_by_label("What paper 2 says").fill("3 6")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("table tr", has_text="3 6")).to_contain_text("resolved")
    page.get_by_role("button", name="Reconcile the batch").click()
    expect(page.get_by_text("Batch reconciled: 2 counted, 0 spoiled, 0 invalid.")).to_be_visible()
    expect(page.locator("#batch-status")).to_have_text("reconciled")
    check_page(page, "kiosk-batch-reconciled")
