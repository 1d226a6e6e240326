"""Online ballots record who took part (gender, age group) once per resident: the online path's side.

These tests pass once the online path (`ballots.intake.online.submit_online`) records participation: for each
stored ballot, in the ballot's transaction (its SAVEPOINT in a group commit),
`record_participation(session, [participation_of(intake.secret, row, voter, "online", checked.district,
ballot.profile)])`, or one `record_participation` call per group commit with every stored ballot's entry.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from ballots.participation import ParticipationCount, participation_turnout
from tests.integration.api.helpers import CITY, DISTRICTS, create_election, make_codes, open_election, vote
from tests.integration.api.test_pages import _csrf

pytestmark = pytest.mark.anyio


async def _counts(intake, election_id):
    async with intake.sessions.begin() as session:
        return set(await participation_turnout(session, election_id))


async def _open(client, admin, count, definition=CITY, **extra):
    election_id = await create_election(client, admin, definition, **extra)
    codes = await make_codes(client, admin, election_id, count)
    await open_election(client, admin, election_id)
    return election_id, codes


async def test_an_online_ballot_records_the_profile_and_a_re_vote_counts_once(client, admin, intake):
    election_id, codes = await _open(client, admin, 2, allow_revote=True)
    first = await vote(client, election_id, codes[0], ["a"], profile={"gender": "female", "age_group": "30-44"})
    assert first.status_code == 201
    # the same resident votes again, saying something else: still one resident, as first said
    again = await vote(client, election_id, codes[0], ["c"], profile={"gender": "male", "age_group": "65+"})
    assert again.status_code == 201
    silent = await vote(client, election_id, codes[1], ["d"])
    assert silent.status_code == 201
    assert await _counts(intake, election_id) == {
        ParticipationCount(None, "online", "female", "30-44", 1),
        ParticipationCount(None, "online", None, None, 1),
    }
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert (turnout["total"], turnout["participants"]) == (2, 2)


async def test_the_rolls_birth_year_decides_the_age_group_online(client, admin, intake):
    election_id = await create_election(client, admin, DISTRICTS, eligibility={"reference_year": 2026})
    census = "identifier,district,birth_year\nID-1,north,2009\n"
    files = {"file": ("census.csv", census.encode(), "text/csv")}
    assert (await client.post(f"/api/v1/elections/{election_id}/roll/census", files=files, headers=admin)).is_success
    await open_election(client, admin, election_id)
    body = {
        "credential": {"kind": "census", "value": "ID-1", "birth_year": 2009},
        "selections": ["n1"],
        "profile": {"age_group": "30-44"},
    }
    assert (await client.post(f"/api/v1/elections/{election_id}/ballots", json=body)).status_code == 201
    # 17 in 2026
    assert await _counts(intake, election_id) == {ParticipationCount("north", "online", None, "under-18", 1)}


async def test_refused_and_replayed_ballots_record_nobody_twice(client, admin, intake):
    election_id, codes = await _open(client, admin, 2)
    over_cap = await vote(client, election_id, codes[0], ["a", "b"], profile={"gender": "other"})  # parks 70 > 60
    assert over_cap.status_code == 422
    assert await _counts(intake, election_id) == set()
    key = {"Idempotency-Key": "phone-retry"}
    for _ in range(3):
        answer = await vote(client, election_id, codes[1], ["a"], headers=key, profile={"gender": "other"})
        assert answer.status_code == 201
    again = await vote(client, election_id, codes[1], ["d"], profile={"gender": "female"})
    assert again.status_code == 409  # no re-voting here
    assert await _counts(intake, election_id) == {ParticipationCount(None, "online", "other", None, 1)}


async def test_simultaneous_submissions_record_one_resident(client, admin, intake):
    election_id, codes = await _open(client, admin, 3, allow_revote=True)
    answers = await asyncio.gather(
        *(vote(client, election_id, codes[n % 3], ["a"], profile={"age_group": "18-29"}) for n in range(30))
    )
    assert {a.status_code for a in answers} == {201}
    assert await _counts(intake, election_id) == {ParticipationCount(None, "online", None, "18-29", 3)}


async def test_a_resident_checked_in_at_a_kiosk_is_not_counted_again_online(client, admin, official, intake):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 1)
    kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Hall"}, headers=admin)
    await open_election(client, admin, election_id)
    body = {"credential": {"kind": "code", "value": codes[0]}, "profile": {"gender": "female"}}
    base = f"/api/v1/elections/{election_id}/kiosks/{kiosk.json()['id']}"
    assert (await client.post(f"{base}/checkins", json=body, headers=official)).status_code == 201
    online = await vote(client, election_id, codes[0], ["a"], profile={"gender": "male"})
    assert online.status_code == 409
    assert await _counts(intake, election_id) == {ParticipationCount(None, "kiosk", "female", None, 1)}


async def test_the_vote_page_passes_the_answers_on(client, admin, intake):
    election_id, codes = await _open(client, admin, 1)
    token = _csrf((await client.get(f"/vote/{election_id}")).text)
    form = {"csrf_token": token, "credential": codes[0], "kind": "code", "project": ["a"]}
    review = await client.post(f"/vote/{election_id}/review", data=form)
    submission = re.search(r'name="submission" value="([^"]+)"', review.text).group(1)
    answers = {"submission": submission, "gender": "other", "age_group": "45-64"}
    confirmed = await client.post(f"/vote/{election_id}/confirm", data=form | answers)
    assert confirmed.status_code == 303
    assert await _counts(intake, election_id) == {ParticipationCount(None, "online", "other", "45-64", 1)}
