"""A whole election through the API: roll, 1,000 online ballots, two paper batches, close, tally, recompute."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from api.cli import main
from pbvote.ballot import Ballot
from pbvote.canonical import election_from_json
from pbvote.project import ProjectId
from tally.registry import allocate
from tests.integration.api.helpers import (
    DISTRICTS,
    TEST_RULE,
    create_election,
    make_codes,
    open_election,
    upload_census,
    vote,
)

pytestmark = pytest.mark.anyio

ONLINE = 1000
CHUNK = 25


def random_ballot(rng: random.Random, district: str) -> list[str]:
    prefix = district[0]
    return sorted(rng.sample([f"{prefix}1", f"{prefix}2"], rng.randint(1, 2)))


async def key_batch(client, election_id, headers_pair, papers, second_reading=None):
    batch = await client.post(
        f"/api/v1/elections/{election_id}/batches",
        json={"label": "box", "envelope_count": len(papers)},
        headers=headers_pair[0],
    )
    batch_id = batch.json()["id"]
    for number, headers in enumerate(headers_pair):
        for seq, paper in enumerate(papers, start=1):
            body = (second_reading or {}).get(seq, paper) if number == 1 else paper
            url = f"/api/v1/elections/{election_id}/batches/{batch_id}/papers/{seq}"
            assert (await client.put(url, json=body, headers=headers)).status_code == 200
    return batch_id


async def test_full_election(client, admin, official, official2, observer, tmp_path, capsys):
    election_id = await create_election(client, admin, DISTRICTS)
    north = await make_codes(client, admin, election_id, ONLINE // 2, "north")
    south = await make_codes(client, admin, election_id, ONLINE // 2, "south")
    assert (
        await upload_census(client, admin, election_id, "identifier,district,birth_year\nC-1,north,1970\n")
    ).status_code == 201
    await open_election(client, admin, election_id)

    rng = random.Random(2026)
    jobs = [(code, "north") for code in north] + [(code, "south") for code in south]
    for start in range(0, ONLINE, CHUNK):
        answers = await asyncio.gather(
            *(
                vote(client, election_id, code, random_ballot(rng, d), district=d)
                for code, d in jobs[start : start + CHUNK]
            )
        )
        assert {a.status_code for a in answers} == {201}

    papers = [{"selections": ["n1"], "district": "north"}, {"selections": ["s2"], "district": "south"}]
    await key_batch(client, election_id, (official, official2), papers)
    mismatched = await key_batch(
        client, election_id, (official, official2), papers, {1: {"selections": ["n2"], "district": "north"}}
    )
    base = f"/api/v1/elections/{election_id}/batches"
    assert [m["seq"] for m in (await client.get(f"{base}/{mismatched}/mismatches", headers=admin)).json()] == [1]
    await client.put(f"{base}/{mismatched}/papers/1/resolution", json=papers[0], headers=admin)
    for batch_id in (1, 2):
        assert (await client.post(f"{base}/{batch_id}/reconcile", headers=admin)).json()["counted"] == 2

    assert (await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)).status_code == 200
    tallied = await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)
    assert tallied.status_code == 200, tallied.text
    result = (await client.get(f"/api/v1/elections/{election_id}/result")).json()
    assert result["ballots"] == ONLINE + 4

    # recompute from the exported ballots alone, district by district, with the rule run directly
    exported = (await client.get(f"/api/v1/elections/{election_id}/export", headers=observer)).json()
    assert len(exported) == ONLINE + 4
    election = election_from_json((await client.get(f"/api/v1/elections/{election_id}")).json()["definition"])
    for district in ("north", "south"):
        profile = [
            Ballot(str(i), tuple(ProjectId(p) for p in b["selections"]))
            for i, b in enumerate(exported)
            if b["district"] == district
        ]
        expected = allocate(election.district_election(district), profile, TEST_RULE).to_json_value()
        assert result["districts"][district] == expected
        # and `pbvote tally` on the exported .pb file says the same
        pb = await client.get(
            f"/api/v1/elections/{election_id}/export.pb", params={"district": district}, headers=observer
        )
        path = tmp_path / f"{district}.pb"
        path.write_text(pb.text, encoding="utf-8")
        capsys.readouterr()
        assert main(["tally", str(path), "--rule", TEST_RULE, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == result["districts"][district]
    turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    assert turnout["total"] == ONLINE + 4
    assert {(r["district"], r["channel"]): r["ballots"] for r in turnout["by_district_and_channel"]} == {
        ("north", "online"): 500,
        ("south", "online"): 500,
        ("north", "paper"): 2,
        ("south", "paper"): 2,
    }
