from __future__ import annotations

import pytest
from sqlalchemy import text

from pbvote.record.receipts import normalize_receipt_code, receipt_ballot_id
from tests.integration.api.helpers import DISTRICTS, create_election, dump, make_codes, open_election, vote

pytestmark = pytest.mark.anyio


@pytest.fixture(name="open_city")
async def fx_open_city(client, admin):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 5)
    await open_election(client, admin, election_id)
    return election_id, codes


async def test_accepted_ballot_gets_a_receipt_and_no_voter_identifier_is_stored(client, intake, open_city):
    election_id, codes = open_city
    response = await vote(client, election_id, codes[0], ["d", "a"])
    assert response.status_code == 201
    body = response.json()
    assert len(normalize_receipt_code(body["receipt"])) == 20
    assert body["channel"] == "online"
    async with intake.sessions.begin() as session:
        row = (await session.execute(text("SELECT * FROM ballots"))).mappings().one()
    assert row["selections"] == '["a", "d"]'
    # only the published ballot_id is stored, never the receipt code nor the voting code
    assert row["ballot_id"] == receipt_ballot_id(body["election_hash"], body["receipt"])
    for secret in (codes[0], body["receipt"]):
        assert all(secret not in str(v) and secret.replace("-", "") not in str(v) for v in row.values())
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["total"] == 1
    assert turnout["by_district_and_channel"] == [{"district": None, "channel": "online", "ballots": 1}]


async def test_every_reason_field_by_field(client, intake, open_city):
    election_id, codes = open_city
    before = await dump(intake)
    # x unknown (selections[1]); a repeated (selections[2]); 4 chosen > max 3; parks a+b = 70 > cap 60
    response = await vote(client, election_id, codes[0], ["a", "x", "a", "b"])
    assert response.status_code == 422
    reasons = {(r["field"], r["code"]) for r in response.json()["reasons"]}
    assert reasons == {
        ("selections[1]", "unknown-project"),
        ("selections[2]", "duplicate-project"),
        ("selections", "too-many"),
        ("selections", "over-category-cap"),
    }
    assert await dump(intake) == before


async def test_points_on_an_approval_ballot(client, open_city):
    election_id, codes = open_city
    response = await vote(client, election_id, codes[0], ["a"], points=[3])
    assert response.status_code == 422
    assert response.json()["reasons"] == [
        {"field": "points", "code": "unexpected-points", "message": "approval ballots carry no points"}
    ]


async def test_districts(client, admin):
    election_id = await create_election(client, admin, DISTRICTS)
    codes = await make_codes(client, admin, election_id, 3)
    await open_election(client, admin, election_id)
    missing = await vote(client, election_id, codes[0], ["n1"])
    assert missing.status_code == 422
    assert missing.json()["reasons"][0]["field"] == "district"
    other = await vote(client, election_id, codes[0], ["s1"], district="north")
    assert [(r["field"], r["code"]) for r in other.json()["reasons"]] == [("selections[0]", "wrong-district")]
    assert (await vote(client, election_id, codes[0], ["n1", "n2"], district="north")).status_code == 201


async def test_not_open_and_unknown_credential(client, admin, intake):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 1)
    draft = await vote(client, election_id, codes[0], ["a"])
    assert draft.status_code == 422
    assert draft.json()["reasons"][0]["code"] == "not-open"
    await open_election(client, admin, election_id)
    before = await dump(intake)
    unknown = await vote(client, election_id, "AAAA-BBBB-CCCC", ["a"])
    assert unknown.status_code == 403
    assert "not on the roll" in unknown.json()["detail"]
    assert (await vote(client, 999, codes[0], ["a"])).status_code == 404
    malformed = await client.post(f"/api/v1/elections/{election_id}/ballots", json={"selections": "a"})
    assert malformed.status_code == 422
    assert {r["field"] for r in malformed.json()["reasons"]} >= {"credential", "selections"}
    assert await dump(intake) == before


async def test_codes_forgive_case_and_dashes(client, open_city):
    election_id, codes = open_city
    typed = codes[0].replace("-", " ").lower()
    assert (await vote(client, election_id, typed, ["a"])).status_code == 201


async def test_revote_replaces_when_allowed(client, admin, intake):
    election_id = await create_election(client, admin, allow_revote=True)
    codes = await make_codes(client, admin, election_id, 1)
    await open_election(client, admin, election_id)
    first = await vote(client, election_id, codes[0], ["a"])
    second = await vote(client, election_id, codes[0], ["c", "d"])
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["receipt"] != second.json()["receipt"]
    async with intake.sessions.begin() as session:
        rows = (await session.execute(text("SELECT selections, ballot_id FROM ballots"))).all()
    assert rows == [('["c", "d"]', receipt_ballot_id(second.json()["election_hash"], second.json()["receipt"]))]


async def test_idempotency_key_returns_the_first_answer(client, intake, open_city):
    election_id, codes = open_city
    key = {"Idempotency-Key": "7f1c0a52-retry"}
    first = await vote(client, election_id, codes[0], ["a"], headers=key)
    retry = await vote(client, election_id, codes[0], ["a"], headers=key)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    other = await vote(client, election_id, codes[0], ["b"], headers=key)
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["detail"]
    async with intake.sessions.begin() as session:
        assert (await session.execute(text("SELECT count(*) FROM ballots"))).scalar_one() == 1


async def test_failed_credentials_are_rate_limited_per_credential(client, open_city):
    election_id, codes = open_city
    for _ in range(5):
        assert (await vote(client, election_id, "ZZZZ-ZZZZ-ZZZZ", ["a"])).status_code == 403
    limited = await vote(client, election_id, "ZZZZ-ZZZZ-ZZZZ", ["a"])
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 300
    assert limited.json()["retry_after"] == int(limited.headers["retry-after"])
    # another resident is not held back by someone else's failures (no per-address limit)
    assert (await vote(client, election_id, codes[1], ["a"])).status_code == 201


async def test_receipts_are_answered_only_from_the_published_record(client, open_city):
    election_id, codes = open_city
    receipt = (await vote(client, election_id, codes[0], ["a"])).json()["receipt"]
    # before the record is published (here: voting still open) a receipt finds nothing
    assert (await client.get(f"/api/v1/elections/{election_id}/receipts/{receipt}")).status_code == 404
    listed = (await client.get("/api/v1/elections")).json()
    assert [(e["id"], e["status"]) for e in listed] == [(election_id, "open")]
