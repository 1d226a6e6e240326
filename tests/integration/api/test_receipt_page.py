"""The receipt check page finds a ballot from its code alone, in whichever election holds it."""

from __future__ import annotations

import pytest

from tests.integration.api.helpers import create_election, make_codes, open_election, vote

pytestmark = pytest.mark.anyio

FOUND = "This ballot is in the record"
MISSING = "No counted ballot has this receipt"


async def _receipt_in_second_of_three(client, admin):
    """Three open elections, a ballot in the second; returns its id and receipt."""
    elections = [await create_election(client, admin, name=name) for name in ("Riverside", "Harbour", "Hill")]
    codes = [await make_codes(client, admin, election, 1) for election in elections]
    for election in elections:
        await open_election(client, admin, election)
    response = await vote(client, elections[1], codes[1][0], ["a"])
    assert response.status_code == 201
    return elections, response.json()["receipt"]


async def test_the_code_alone_finds_the_election(client, admin):
    elections, receipt = await _receipt_in_second_of_three(client, admin)
    page = await client.get("/receipt", params={"code": receipt})
    assert page.status_code == 200
    assert FOUND in page.text
    assert "belongs to a ballot counted in Harbour." in page.text
    assert f'href="/results/{elections[1]}"' in page.text
    # typed loosely (lower case, no dashes), it is the same code
    loose = await client.get("/receipt", params={"code": receipt.lower().replace("-", "")})
    assert "counted in Harbour." in loose.text


async def test_the_form_asks_only_for_the_code_and_keeps_a_given_election_number(client, admin):
    elections, receipt = await _receipt_in_second_of_three(client, admin)
    form = await client.get("/receipt")
    assert 'id="code"' in form.text
    assert 'id="election"' not in form.text
    # the QR code's link carries the election number: still found, and the number is kept for the next check
    linked = await client.get("/receipt", params={"election": str(elections[1]), "code": receipt})
    assert FOUND in linked.text
    assert f'<input type="hidden" name="election" value="{elections[1]}">' in linked.text
    # a wrong or malformed number does not hide the ballot: the code decides
    for number in (str(elections[0]), "999", "x1"):
        page = await client.get("/receipt", params={"election": number, "code": receipt})
        assert page.status_code == 200
        assert "counted in Harbour." in page.text


@pytest.mark.parametrize("code", ["0000-0000-0000-0000-0000", "not a code", "K7QM"])
async def test_an_unknown_or_malformed_code_is_not_found(client, admin, code):
    await _receipt_in_second_of_three(client, admin)
    page = await client.get("/receipt", params={"code": code})
    assert page.status_code == 200
    assert MISSING in page.text


async def test_a_pending_kiosk_check_in_is_not_a_counted_ballot(client, admin, official):
    election = await create_election(client, admin)
    codes = await make_codes(client, admin, election, 1)
    kiosk = await client.post(f"/api/v1/elections/{election}/kiosks", json={"name": "Hall"}, headers=admin)
    await open_election(client, admin, election)
    base = f"/api/v1/elections/{election}/kiosks/{kiosk.json()['id']}"
    resident = {"credential": {"kind": "code", "value": codes[0]}}
    checkin = await client.post(f"{base}/checkins", json=resident, headers=official)
    code = checkin.json()["checkin"]
    assert MISSING in (await client.get("/receipt", params={"code": code})).text
    entered = await client.post(f"{base}/checkins/{code}/ballot", json={"selections": ["a"]}, headers=official)
    assert entered.status_code == 201
    assert FOUND in (await client.get("/receipt", params={"code": code})).text
