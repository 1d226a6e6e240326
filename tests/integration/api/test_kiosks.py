from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.integration.api.helpers import (
    DISTRICTS,
    create_election,
    dump,
    make_codes,
    open_election,
    upload_census,
    vote,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(name="station")
async def fx_station(client, admin):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 6)
    kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Library"}, headers=admin)
    assert kiosk.status_code == 201
    await open_election(client, admin, election_id)
    return election_id, kiosk.json()["id"], codes


def credential(code):
    return {"credential": {"kind": "code", "value": code}}


async def test_check_in_then_enter_ballot(client, official, station):
    election_id, kiosk_id, codes = station
    base = f"/api/v1/elections/{election_id}/kiosks/{kiosk_id}"
    checkin = await client.post(f"{base}/checkins", json=credential(codes[0]), headers=official)
    assert checkin.status_code == 201
    code = checkin.json()["checkin"]
    # checked in: the resident can no longer vote online
    online = await vote(client, election_id, codes[0], ["a"])
    assert online.status_code == 409
    assert "kiosk" in online.json()["detail"]
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["total"] == 0
    bad = await client.post(f"{base}/checkins/{code}/ballot", json={"selections": ["a", "b"]}, headers=official)
    assert bad.status_code == 422
    assert bad.json()["reasons"][0]["code"] == "over-category-cap"
    entered = await client.post(f"{base}/checkins/{code}/ballot", json={"selections": ["c"]}, headers=official)
    assert entered.status_code == 201
    assert entered.json()["receipt"] == code
    twice = await client.post(f"{base}/checkins/{code}/ballot", json={"selections": ["d"]}, headers=official)
    assert twice.status_code == 409
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["by_district_and_channel"] == [{"district": None, "channel": "kiosk", "ballots": 1}]


async def test_online_first_means_no_check_in(client, official, station):
    election_id, kiosk_id, codes = station
    assert (await vote(client, election_id, codes[0], ["a"])).status_code == 201
    checkin = await client.post(
        f"/api/v1/elections/{election_id}/kiosks/{kiosk_id}/checkins", json=credential(codes[0]), headers=official
    )
    assert checkin.status_code == 409
    assert "online ballot stands" in checkin.json()["detail"]


async def test_kiosk_needs_an_official_and_its_own_election(client, observer, official, station):
    election_id, kiosk_id, codes = station
    url = f"/api/v1/elections/{election_id}/kiosks/{kiosk_id}/checkins"
    assert (await client.post(url, json=credential(codes[0]), headers=observer)).status_code == 403
    assert (await client.post(url, json=credential(codes[0]))).status_code == 401
    other = f"/api/v1/elections/{election_id}/kiosks/{kiosk_id + 7}/checkins"
    assert (await client.post(other, json=credential(codes[0]), headers=official)).status_code == 404


async def test_failed_attempts_are_limited_per_kiosk(client, official, station):
    election_id, kiosk_id, codes = station
    url = f"/api/v1/elections/{election_id}/kiosks/{kiosk_id}/checkins"
    for n in range(5):
        wrong = await client.post(url, json=credential(f"AAAA-BBBB-{n:04d}"), headers=official)
        assert wrong.status_code == 403
    limited = await client.post(url, json=credential(codes[0]), headers=official)
    assert limited.status_code == 429
    assert "kiosk" in limited.json()["detail"]
    assert int(limited.headers["retry-after"]) >= 1
    # online voting is not held back by a kiosk's failures
    assert (await vote(client, election_id, codes[0], ["a"])).status_code == 201


async def test_offline_queue_sync_is_idempotent(client, official, intake, station):
    election_id, kiosk_id, codes = station
    queue = [
        {"uuid": str(uuid.UUID(int=1)), **credential(codes[0]), "selections": ["a"]},
        {"uuid": str(uuid.UUID(int=2)), **credential(codes[1]), "selections": ["x"]},
        {"uuid": str(uuid.UUID(int=3)), **credential(codes[2]), "selections": ["c", "d"]},
        {"uuid": str(uuid.UUID(int=4)), **credential(codes[0]), "selections": ["b"]},
    ]
    url = f"/api/v1/elections/{election_id}/kiosks/{kiosk_id}/sync"
    first = await client.post(url, json={"ballots": queue}, headers=official)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()] == ["accepted", "rejected", "accepted", "rejected"]
    assert "unknown" in first.json()[1]["reason"] or "not on this ballot" in first.json()[1]["reason"]
    assert "already" in first.json()[3]["reason"]
    before = await dump(intake)
    again = await client.post(url, json={"ballots": queue[:1] + queue[2:3]}, headers=official)
    assert [r["status"] for r in again.json()] == ["duplicate", "duplicate"]
    assert [r["receipt"] for r in again.json()] == [first.json()[0]["receipt"], first.json()[2]["receipt"]]
    after = await dump(intake)
    assert after["ballots"] == before["ballots"]
    async with intake.sessions.begin() as session:
        assert (await session.execute(text("SELECT count(*) FROM ballots WHERE status = 'counted'"))).scalar_one() == 2


async def test_census_check_in_keeps_the_roll_district(client, admin, official):
    election_id = await create_election(client, admin, DISTRICTS)
    census = "identifier,district,birth_year\nK-1,south,1990\n"
    assert (await upload_census(client, admin, election_id, census)).status_code == 201
    kiosk = (await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Hall"}, headers=admin)).json()
    await open_election(client, admin, election_id)
    base = f"/api/v1/elections/{election_id}/kiosks/{kiosk['id']}"
    resident = {"credential": {"kind": "census", "value": "K-1", "birth_year": 1990}}
    code = (await client.post(f"{base}/checkins", json=resident, headers=official)).json()["checkin"]
    north = await client.post(
        f"{base}/checkins/{code}/ballot", json={"selections": ["n1"], "district": "north"}, headers=official
    )
    assert north.status_code == 422
    assert {r["code"] for r in north.json()["reasons"]} == {"not-your-district"}
    south = await client.post(f"{base}/checkins/{code}/ballot", json={"selections": ["s1", "s2"]}, headers=official)
    assert south.status_code == 201
    assert south.json()["district"] == "south"
