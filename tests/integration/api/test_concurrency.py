"""Races that the database's unique constraint must settle, whatever the interleaving."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.integration.api.helpers import create_election, make_codes, open_election, vote

pytestmark = pytest.mark.anyio


async def ballot_rows(intake):
    async with intake.sessions.begin() as session:
        return (await session.execute(text("SELECT status, channel, selections FROM ballots"))).all()


async def test_fifty_simultaneous_submissions_count_once(client, admin, intake):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 1)
    await open_election(client, admin, election_id)
    answers = await asyncio.gather(*(vote(client, election_id, codes[0], ["a"]) for _ in range(50)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 49
    assert await ballot_rows(intake) == [("counted", "online", '["a"]')]


async def test_fifty_simultaneous_retries_with_one_key_get_one_answer(client, admin, intake):
    election_id = await create_election(client, admin, allow_revote=True)
    codes = await make_codes(client, admin, election_id, 1)
    await open_election(client, admin, election_id)
    key = {"Idempotency-Key": "same-request"}
    answers = await asyncio.gather(*(vote(client, election_id, codes[0], ["a"], headers=key) for _ in range(50)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["receipt"] for a in answers}) == 1
    assert len(await ballot_rows(intake)) == 1


async def test_simultaneous_revotes_leave_one_ballot(client, admin, intake):
    election_id = await create_election(client, admin, allow_revote=True)
    codes = await make_codes(client, admin, election_id, 1)
    await open_election(client, admin, election_id)
    choices = [["a"], ["b"], ["c"], ["d"], ["a", "d"]] * 6
    answers = await asyncio.gather(*(vote(client, election_id, codes[0], c) for c in choices))
    assert {a.status_code for a in answers} == {201}
    rows = await ballot_rows(intake)
    assert len(rows) == 1
    # the one ballot left is one of those submitted, whole (never a mix)
    assert rows[0][2] in {'["a"]', '["b"]', '["c"]', '["d"]', '["a", "d"]'}


async def test_check_in_racing_online_vote_leaves_one(client, admin, official, intake):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 10)
    kiosk = (await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Hall"}, headers=admin)).json()
    await open_election(client, admin, election_id)
    url = f"/api/v1/elections/{election_id}/kiosks/{kiosk['id']}/checkins"
    races = []
    for code in codes:
        races += [
            vote(client, election_id, code, ["a"]),
            client.post(url, json={"credential": {"kind": "code", "value": code}}, headers=official),
        ]
    answers = await asyncio.gather(*races)
    for online, checkin in zip(answers[::2], answers[1::2], strict=True):
        assert sorted([online.status_code, checkin.status_code]) == [201, 409]
    rows = await ballot_rows(intake)
    assert len(rows) == 10
    online_won = sum(1 for a in answers[::2] if a.status_code == 201)
    assert sum(1 for r in rows if r[1] == "online") == online_won
