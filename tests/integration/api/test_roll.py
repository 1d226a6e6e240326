from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.api.helpers import DISTRICTS, create_election, make_codes, open_election, upload_census

pytestmark = pytest.mark.anyio

CENSUS = "identifier,district,birth_year\nID-1,north,1980\nID-2,south,2010\nID-3,,1990\n"


def census_vote(identifier, year, selections, district=None):
    body = {"credential": {"kind": "census", "value": identifier, "birth_year": year}, "selections": selections}
    if district is not None:
        body["district"] = district
    return body


async def test_census_is_stored_only_as_keyed_hashes(client, admin, intake):
    election_id = await create_election(client, admin, DISTRICTS)
    response = await upload_census(client, admin, election_id, CENSUS)
    assert response.status_code == 201, response.text
    assert response.json()["added"] == 3
    async with intake.sessions.begin() as session:
        stored = (await session.execute(text("SELECT credential_hash, district, birth_year FROM voters"))).all()
    assert len(stored) == 3
    assert all(len(h) == 64 and "ID-" not in h for h, _, _ in stored)
    assert sorted((d or "", y) for _, d, y in stored) == [("", 1990), ("north", 1980), ("south", 2010)]


@pytest.mark.parametrize(
    ("census", "words"),
    [
        ("name,birth_year\nA,1990\n", "no 'identifier' column"),
        ("identifier,birth_year\nA,1990\nA,1991\n", "census line 3: identifier repeats line 2"),
        ("identifier,district\nA,east\n", "census line 2: district 'east'"),
        ("identifier,birth_year\nA,19x0\n", "census line 2: birth_year '19x0'"),
        ("identifier\n\n,\n", "census line 3: the identifier is empty"),
    ],
)
async def test_bad_census_names_the_line(client, admin, census, words):
    election_id = await create_election(client, admin, DISTRICTS)
    response = await upload_census(client, admin, election_id, census)
    assert response.status_code == 422
    assert words in response.json()["detail"]


async def test_census_identifier_already_on_roll(client, admin):
    election_id = await create_election(client, admin, DISTRICTS)
    assert (await upload_census(client, admin, election_id, CENSUS)).status_code == 201
    again = await upload_census(client, admin, election_id, "identifier\nID-1\n")
    assert again.status_code == 409


async def test_eligibility_age_district_and_birth_year(client, admin):
    eligibility = {"min_age": 16, "reference_year": 2026}
    election_id = await create_election(client, admin, DISTRICTS, eligibility=eligibility)
    await upload_census(client, admin, election_id, CENSUS)
    await open_election(client, admin, election_id)
    url = f"/api/v1/elections/{election_id}/ballots"
    # ID-2 was born in 2010: 16 in 2026, just old enough; ID-1 is placed in north by the roll
    assert (await client.post(url, json=census_vote("ID-2", 2010, ["s1"]))).status_code == 201
    wrong_district = await client.post(url, json=census_vote("ID-1", 1980, ["s1"], "south"))
    assert wrong_district.status_code == 422
    assert {r["code"] for r in wrong_district.json()["reasons"]} == {"not-your-district"}
    wrong_year = await client.post(url, json=census_vote("ID-1", 1981, ["n1"]))
    assert wrong_year.status_code == 403
    assert "birth year" in wrong_year.json()["detail"]
    # the district comes from the roll when the ballot does not name it
    north = await client.post(url, json=census_vote("ID-1", 1980, ["n1"]))
    assert north.status_code == 201
    assert north.json()["district"] == "north"


async def test_too_young_is_refused(client, admin):
    election_id = await create_election(client, admin, DISTRICTS, eligibility={"min_age": 17, "reference_year": 2026})
    await upload_census(client, admin, election_id, CENSUS)
    await open_election(client, admin, election_id)
    response = await client.post(f"/api/v1/elections/{election_id}/ballots", json=census_vote("ID-2", 2010, ["s1"]))
    assert response.status_code == 403
    assert "at least 17" in response.json()["detail"]


async def test_codes_csv_and_district(client, admin):
    election_id = await create_election(client, admin, DISTRICTS)
    codes = await make_codes(client, admin, election_id, 25, "south")
    assert len(set(codes)) == 25
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    bad = await client.post(
        f"/api/v1/elections/{election_id}/roll/codes", json={"count": 2, "district": "east"}, headers=admin
    )
    assert bad.status_code == 422
    zero = await client.post(f"/api/v1/elections/{election_id}/roll/codes", json={"count": 0}, headers=admin)
    assert zero.status_code == 422
    assert zero.json()["reasons"][0]["field"] == "count"


async def test_guessing_birth_years_is_rate_limited(client, admin):
    election_id = await create_election(client, admin, DISTRICTS)
    await upload_census(client, admin, election_id, CENSUS)
    await open_election(client, admin, election_id)
    url = f"/api/v1/elections/{election_id}/ballots"
    for year in range(1975, 1980):
        assert (await client.post(url, json=census_vote("ID-1", year, ["n1"]))).status_code == 403
    # the sixth try is refused before the roll is read, even with the right year
    limited = await client.post(url, json=census_vote("ID-1", 1980, ["n1"]))
    assert limited.status_code == 429
    assert "credential" in limited.json()["detail"]
    assert (await client.post(url, json=census_vote("ID-3", 1990, ["n1"], "north"))).status_code == 201
