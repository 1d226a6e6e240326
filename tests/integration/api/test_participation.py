"""Turnout by self-declared gender and age group: kiosk check-ins, the schemas, the API and the turnout page.

Online ballots with a profile are in `test_participation_online.py` (the online path records them).
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import text

from ballots.participation import (
    Participation,
    ParticipationCount,
    participation_turnout,
    record_participation,
)
from tests.integration.api.helpers import CITY, DISTRICTS, create_election, dump, make_codes, open_election, vote
from tests.integration.api.test_pages import _csrf, _kiosk_sign_in

pytestmark = pytest.mark.anyio

CENSUS = "identifier,district,birth_year\nID-1,north,1980\nID-2,south,2010\n"


async def _station(client, admin, definition=CITY, **extra):
    election_id = await create_election(client, admin, definition, **extra)
    codes = await make_codes(client, admin, election_id, 6)
    kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Library"}, headers=admin)
    await open_election(client, admin, election_id)
    return election_id, f"/api/v1/elections/{election_id}/kiosks/{kiosk.json()['id']}", codes


async def _counts(intake, election_id):
    async with intake.sessions.begin() as session:
        return set(await participation_turnout(session, election_id))


async def test_kiosk_check_in_records_what_the_resident_says_once(client, admin, official, intake):
    election_id = await create_election(client, admin, DISTRICTS, eligibility={"reference_year": 2026})
    files = {"file": ("census.csv", CENSUS.encode(), "text/csv")}
    await client.post(f"/api/v1/elections/{election_id}/roll/census", files=files, headers=admin)
    codes = await make_codes(client, admin, election_id, 2, "south")
    kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Hall"}, headers=admin)
    base = f"/api/v1/elections/{election_id}/kiosks/{kiosk.json()['id']}"
    await open_election(client, admin, election_id)

    async def check_in(credential, profile=None):
        body = {"credential": credential} | ({"profile": profile} if profile is not None else {})
        return await client.post(f"{base}/checkins", json=body, headers=official)

    census = {"kind": "census", "value": "ID-1", "birth_year": 1980}
    # ID-1 says 18-29, but the roll's 1980 makes 46 in 2026: 45-64 wins; a code resident's word stands
    first = await check_in(census, {"gender": "female", "age_group": "18-29"})
    assert first.status_code == 201
    assert (await check_in({"kind": "code", "value": codes[0]}, {"gender": "male", "age_group": "65+"})).is_success
    assert (await check_in({"kind": "code", "value": codes[1]})).is_success
    checkin = first.json()["checkin"]
    entered = await client.post(f"{base}/checkins/{checkin}/ballot", json={"selections": ["n1"]}, headers=official)
    assert entered.status_code == 201
    again = await check_in(census, {"gender": "other"})
    assert again.status_code == 409
    assert await _counts(intake, election_id) == {
        ParticipationCount("north", "kiosk", "female", "45-64", 1),
        ParticipationCount("south", "kiosk", "male", "65+", 1),
        ParticipationCount("south", "kiosk", None, None, 1),
    }
    # nothing ties a participation row to a ballot row: its key is not any ballot's voter link
    async with intake.sessions.begin() as session:
        keys = set((await session.execute(text("SELECT voter_key FROM participation"))).scalars())
        links = set((await session.execute(text("SELECT voter_link FROM ballots"))).scalars())
    assert len(keys) == 3
    assert len(links) == 3
    assert not keys & links
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["participants"] == 3
    assert turnout["total"] == 1  # one ballot entered; two check-ins still wait for theirs


async def test_an_offline_queue_records_each_resident_once(client, admin, official, intake):
    election_id, base, codes = await _station(client, admin)
    queue = [
        {
            "uuid": str(uuid.UUID(int=n + 1)),
            "credential": {"kind": "code", "value": codes[n]},
            "selections": ["a"],
            "profile": {"gender": "other"},
        }
        for n in range(2)
    ]
    first = await client.post(f"{base}/sync", json={"ballots": queue}, headers=official)
    assert [r["status"] for r in first.json()] == ["accepted", "accepted"]
    again = await client.post(f"{base}/sync", json={"ballots": queue}, headers=official)
    assert [r["status"] for r in again.json()] == ["duplicate", "duplicate"]
    assert await _counts(intake, election_id) == {ParticipationCount(None, "kiosk", "other", None, 2)}


async def test_bad_profiles_are_refused_naming_the_field_and_change_nothing(client, admin, official, intake):
    election_id, base, codes = await _station(client, admin)
    resident = {"credential": {"kind": "code", "value": codes[0]}}
    checkin = (await client.post(f"{base}/checkins", json=resident, headers=official)).json()["checkin"]
    before = await dump(intake)
    online = await vote(client, election_id, codes[1], ["a"], profile={"gender": "woman"})
    assert online.status_code == 422
    assert [r["field"] for r in online.json()["reasons"]] == ["profile.gender"]
    body = {"credential": {"kind": "code", "value": codes[2]}, "profile": {"age_group": "40-50"}}
    kiosk = await client.post(f"{base}/checkins", json=body, headers=official)
    assert kiosk.status_code == 422
    assert [r["field"] for r in kiosk.json()["reasons"]] == ["profile.age_group"]
    extra = await vote(client, election_id, codes[3], ["a"], profile={"gender": "female", "religion": "none"})
    assert extra.status_code == 422
    assert "religion" in extra.text
    # the profile is said at check-in, never with the ballot entered for the resident, nor on a paper
    entered = await client.post(
        f"{base}/checkins/{checkin}/ballot", json={"selections": ["a"], "profile": {"gender": "male"}}, headers=official
    )
    assert entered.status_code == 422
    batch = await client.post(
        f"/api/v1/elections/{election_id}/batches", json={"label": "Box", "envelope_count": 1}, headers=official
    )
    paper = await client.put(
        f"/api/v1/elections/{election_id}/batches/{batch.json()['id']}/papers/1",
        json={"selections": ["a"], "profile": {"gender": "male"}},
        headers=official,
    )
    assert paper.status_code == 422
    after = await dump(intake)
    assert {k: v for k, v in after.items() if k not in {"paper_batches", "audit_log"}} == {
        k: v for k, v in before.items() if k not in {"paper_batches", "audit_log"}
    }


def _people(election_id, groups):
    """Participation rows: `groups` maps (gender, age group) to how many residents said it."""
    rows, n = [], 0
    for (gender, age_group), count in groups.items():
        for _ in range(count):
            n += 1
            rows.append(Participation(election_id, f"resident-{n:03}", None, "online", gender, age_group))
    return rows


async def _record(intake, rows):
    async with intake.sessions.begin() as session:
        await record_participation(session, rows)


def _groups(items):
    return [(item["group"], item["residents"]) for item in items]


async def test_turnout_api_and_page_hide_groups_under_ten(client, admin, intake):
    election_id = await create_election(client, admin)
    await open_election(client, admin, election_id)
    # 23 residents: female 12 (10 aged 18-29, 2 aged 30-44), male 9 (30-44), 2 said nothing
    first = {("female", "18-29"): 10, ("female", "30-44"): 2, ("male", "30-44"): 9, (None, None): 2}
    await _record(intake, _people(election_id, first))
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert (turnout["participants"], turnout["minimum_group"]) == (23, 10)
    # gender: male 9 and not said 2 are under 10; other is empty: only female shows
    assert _groups(turnout["by_gender"]) == [("female", 12), ("male", None), ("other", None), ("not-said", None)]
    # age: not said 2 is the only small group, so the next smallest (18-29: 10) is hidden with it
    assert _groups(turnout["by_age_group"]) == [
        ("under-18", None), ("18-29", None), ("30-44", 11), ("45-64", None), ("65+", None), ("not-said", None),
    ]  # fmt: skip
    page = (await client.get(f"/turnout/{election_id}")).text
    assert "Residents who voted online or checked in at a kiosk: 23" in page
    tables = re.findall(r'<table class="turnout-groups">(.*?)</table>', page, re.DOTALL)
    assert len(tables) == 2
    rows = [re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num( group-hidden)?">\s*(\w+)', t) for t in tables]
    assert rows[0] == [
        ("Woman", "", "12"), ("Man", " group-hidden", "hidden"), ("Another gender", " group-hidden", "hidden"),
        ("Not said", " group-hidden", "hidden"),
    ]  # fmt: skip
    assert [(label, count) for label, _, count in rows[1]] == [
        ("Under 18", "hidden"), ("18 to 29", "hidden"), ("30 to 44", "11"), ("45 to 64", "hidden"),
        ("65 or over", "hidden"), ("Not said", "hidden"),
    ]  # fmt: skip
    assert '<rect x="0" y="0" height="10" width="100">' in tables[0]  # the largest shown group's full bar

    # one more man (30-44) and eight more who say nothing: every non-empty group reaches 10
    more = [Participation(election_id, f"later-{n}", None, "kiosk", None, None) for n in range(8)]
    await _record(intake, [Participation(election_id, "later-man", None, "kiosk", "male", "30-44"), *more])
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["participants"] == 32
    assert _groups(turnout["by_gender"]) == [("female", 12), ("male", 10), ("other", None), ("not-said", 10)]
    assert _groups(turnout["by_age_group"]) == [
        ("under-18", None), ("18-29", 10), ("30-44", 12), ("45-64", None), ("65+", None), ("not-said", 10),
    ]  # fmt: skip


async def test_turnout_page_without_participants_shows_no_group_tables(client, admin):
    election_id = await create_election(client, admin)
    await open_election(client, admin, election_id)
    page = await client.get(f"/turnout/{election_id}")
    assert page.status_code == 200
    assert "turnout-groups" not in page.text
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["participants"] == 0
    assert all(item["residents"] is None for item in turnout["by_gender"] + turnout["by_age_group"])


async def test_kiosk_page_check_in_with_a_profile(client, admin, official, intake):
    election_id, _, codes = await _station(client, admin)
    csrf = await _kiosk_sign_in(client, official)
    page = await client.get(f"/kiosk/{election_id}")
    assert '<option value="" selected>Prefer not to say</option>' in page.text
    kiosk_id = re.search(r'<option value="(\d+)"', page.text).group(1)
    form = {"csrf_token": csrf, "kiosk": kiosk_id, "kind": "code", "credential": codes[0]}
    checked = await client.post(f"/kiosk/{election_id}/checkin", data=form | {"gender": "female", "age_group": "65+"})
    assert checked.status_code == 200
    assert "Checked in. Code:" in checked.text
    # a value the form does not offer counts as not said
    tampered = form | {"credential": codes[1], "gender": "robot", "age_group": "ancient"}
    assert (await client.post(f"/kiosk/{election_id}/checkin", data=tampered)).status_code == 200
    assert await _counts(intake, election_id) == {
        ParticipationCount(None, "kiosk", "female", "65+", 1),
        ParticipationCount(None, "kiosk", None, None, 1),
    }


async def test_vote_review_asks_the_two_optional_questions(client, admin):
    election_id, _, codes = await _station(client, admin)
    token = _csrf((await client.get(f"/vote/{election_id}?lang=es")).text)
    form = {"csrf_token": token, "credential": codes[0], "kind": "code", "project": ["a"]}
    review = await client.post(f"/vote/{election_id}/review", data=form)
    assert review.status_code == 200
    confirm = review.text[review.text.index(f'action="/vote/{election_id}/confirm"') :].split("</form>")[0]
    for name in ("gender", "age_group"):
        select = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', confirm, re.DOTALL)
        assert select, name
        assert '<option value="" selected>Prefiero no decirlo</option>' in select.group(1)
    assert re.findall(r'<option value="([^"]+)">', confirm) == [
        "female", "male", "other", "under-18", "18-29", "30-44", "45-64", "65+",
    ]  # fmt: skip
