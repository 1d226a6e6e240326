"""The HTML pages through the test client: security headers, CSRF, language, and the same refusals as the API."""

from __future__ import annotations

import re

import pytest

from tests.integration.api.helpers import DISTRICTS, create_election, make_codes, open_election, vote

pytestmark = pytest.mark.anyio


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


async def test_pages_send_a_strict_content_security_policy(client, admin):
    election = await create_election(client, admin)
    response = await client.get(f"/vote/{election}")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.text
    assert " style=" not in response.text


async def test_a_form_without_its_csrf_token_is_refused(client, admin):
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    await client.get(f"/vote/{election}")
    response = await client.post(f"/vote/{election}/ballot", data={"credential": codes[0], "csrf_token": "forged"})
    assert response.status_code == 403
    assert "This form has expired" in response.text


async def test_language_from_the_browser_and_switchable(client, admin):
    election = await create_election(client, admin)
    arabic = await client.get(f"/vote/{election}", headers={"Accept-Language": "ar,en;q=0.5"})
    # Arabic numbers as Tetouan writes them: Morocco's conventions, Latin digits
    assert '<html lang="ar" dir="rtl" data-number-locale="ar-MA">' in arabic.text
    russian = await client.get(f"/vote/{election}?lang=ru", headers={"Accept-Language": "ar"})
    assert '<html lang="ru" dir="ltr" data-number-locale="ru">' in russian.text
    assert "pbvote_lang=ru" in russian.headers["set-cookie"]
    remembered = await client.get(f"/vote/{election}", headers={"Accept-Language": "ar"})
    assert '<html lang="ru"' in remembered.text


async def test_server_refuses_an_over_cap_ballot_with_the_page_message(client, admin):
    # Riverside: at most 60 on parks; a (40, parks) + b (30, parks) = 70
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    token = _csrf((await client.get(f"/vote/{election}")).text)
    form = {"csrf_token": token, "credential": codes[0], "kind": "code", "project": ["a", "b"]}
    response = await client.post(f"/vote/{election}/review", data=form)
    assert response.status_code == 422
    assert "Your choices in parks cost €70, more than the €60 allowed for that line." in response.text
    turnout = await client.get(f"/api/v1/elections/{election}/turnout")
    assert turnout.json()["total"] == 0


async def test_a_wrong_code_is_refused_at_sign_in(client, admin):
    election = await create_election(client, admin)
    await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    token = _csrf((await client.get(f"/vote/{election}")).text)
    response = await client.post(f"/vote/{election}/ballot", data={"csrf_token": token, "credential": "AAAA-BBBB-CCCC"})
    assert response.status_code == 403
    assert "does not let you vote in this election" in response.text


async def test_language_links_of_a_form_answer_lead_back_to_its_form(client, admin):
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    token = _csrf((await client.get(f"/vote/{election}?lang=fr")).text)
    ballot = await client.post(f"/vote/{election}/ballot", data={"csrf_token": token, "credential": codes[0]})
    assert ballot.status_code == 200
    assert '<html lang="fr"' in ballot.text
    assert f'href="/vote/{election}?lang=ar"' in ballot.text  # a GET of /ballot would not exist
    receipt = await client.get(f"/receipt?election={election}&code=R-1")
    assert f'href="/receipt?election={election}&amp;code=R-1&amp;lang=es"' in receipt.text


async def test_front_page_lists_the_elections_not_drafts(client, admin):
    draft = await create_election(client, admin)
    opened = await create_election(client, admin)
    await open_election(client, admin, opened)
    page = await client.get("/")
    assert page.status_code == 200
    assert f'href="/vote/{opened}"' in page.text
    assert f'href="/vote/{draft}"' not in page.text


async def test_a_district_resident_sees_only_their_district(client, admin):
    election = await create_election(client, admin, DISTRICTS)
    codes = await make_codes(client, admin, election, 1, "south")
    await open_election(client, admin, election)
    token = _csrf((await client.get(f"/vote/{election}")).text)
    ballot = await client.post(f"/vote/{election}/ballot", data={"csrf_token": token, "credential": codes[0]})
    assert ballot.status_code == 200
    assert re.findall(r'name="project" value="(\w+)"', ballot.text) == ["s1", "s2"]
    assert '<input type="hidden" name="district" value="south">' in ballot.text
    # the south budget (40) is the meter's limit: this election sets no max_sum_cost, so it only informs
    assert 'data-limit="40" data-enforced="no"' in ballot.text


async def test_a_resident_who_voted_is_told_at_sign_in(client, admin):
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    await open_election(client, admin, election)
    assert (await vote(client, election, codes[0], ["a"])).status_code == 201
    token = _csrf((await client.get(f"/vote/{election}")).text)
    response = await client.post(f"/vote/{election}/ballot", data={"csrf_token": token, "credential": codes[0]})
    assert response.status_code == 403
    assert "A ballot was already cast with this credential" in response.text


async def _kiosk_sign_in(client, headers: dict[str, str]) -> str:
    token = _csrf((await client.get("/kiosk")).text)
    staff_token = headers["Authorization"].removeprefix("Bearer ")
    response = await client.post("/kiosk/signin", data={"csrf_token": token, "token": staff_token})
    assert response.status_code in {200, 303}
    return token


async def test_a_spoiled_paper_is_kept_with_its_reason(client, admin, official, official2):
    election = await create_election(client, admin)
    await open_election(client, admin, election)
    for staff in (official, official2):
        csrf = await _kiosk_sign_in(client, staff)
        if staff is official:
            opened = await client.post(
                f"/kiosk/{election}/batches/", data={"csrf_token": csrf, "label": "Box 9", "envelopes": "1"}
            )
            assert opened.status_code == 303
            batch_url = opened.headers["location"]
        form = {"csrf_token": csrf, "seq": "1", "spoiled": "yes", "spoiled_reason": "torn in half", "numbers": ""}
        saved = await client.post(f"{batch_url}/papers", data=form)
        assert "Paper 1 saved" in saved.text
    csrf = await _kiosk_sign_in(client, admin)
    done = await client.post(f"{batch_url}/reconcile", data={"csrf_token": csrf})
    assert "Batch reconciled: 0 counted, 1 spoiled, 0 invalid." in done.text


async def test_the_kiosk_refuses_an_observer_and_a_wrong_token(client, admin, observer):
    await create_election(client, admin)
    token = _csrf((await client.get("/kiosk")).text)
    wrong = await client.post("/kiosk/signin", data={"csrf_token": token, "token": "pbv_not-a-token"})
    assert wrong.status_code == 401
    assert "This staff token is not valid." in wrong.text
    watcher = observer["Authorization"].removeprefix("Bearer ")
    refused = await client.post("/kiosk/signin", data={"csrf_token": token, "token": watcher})
    assert refused.status_code == 403
