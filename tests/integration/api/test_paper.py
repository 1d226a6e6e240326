from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.api.helpers import create_election, open_election

pytestmark = pytest.mark.anyio


@pytest.fixture(name="batch")
async def fx_batch(client, admin, official):
    election_id = await create_election(client, admin)
    await open_election(client, admin, election_id)
    response = await client.post(
        f"/api/v1/elections/{election_id}/batches", json={"label": "Box 1", "envelope_count": 3}, headers=official
    )
    assert response.status_code == 201
    return election_id, response.json()["id"]


async def key(client, headers, election_id, batch_id, seq, body):
    response = await client.put(
        f"/api/v1/elections/{election_id}/batches/{batch_id}/papers/{seq}", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()["pass_no"]


async def test_double_keying_mismatch_resolution_and_reconcile(client, admin, official, official2, intake, batch):
    election_id, batch_id = batch
    base = f"/api/v1/elections/{election_id}/batches/{batch_id}"
    papers = [{"selections": ["a", "d"]}, {"selections": ["c"]}, {"selections": [], "spoiled": "torn in two"}]
    for seq, paper in enumerate(papers, start=1):
        assert await key(client, official, election_id, batch_id, seq, paper) == 1
    # the second official misreads paper 2 and has not keyed paper 3 yet; order of approvals does not matter
    assert await key(client, official2, election_id, batch_id, 1, {"selections": ["d", "a"]}) == 2
    assert await key(client, official2, election_id, batch_id, 2, {"selections": ["b"]}) == 2
    early = await client.post(f"{base}/reconcile", headers=admin)
    assert early.status_code == 409
    assert "2 (the two keyings differ)" in early.json()["detail"]
    assert "3 (pass 2 not keyed)" in early.json()["detail"]
    assert await key(client, official2, election_id, batch_id, 3, papers[2]) == 2
    mismatches = (await client.get(f"{base}/mismatches", headers=admin)).json()
    assert [(m["seq"], m["problem"], m["resolved"]) for m in mismatches] == [(2, "the two keyings differ", False)]
    assert (await client.get(f"{base}/mismatches", headers=official)).status_code == 403
    resolved = await client.put(f"{base}/papers/2/resolution", json={"selections": ["c"]}, headers=admin)
    assert resolved.status_code == 200
    assert (await client.post(f"{base}/reconcile", headers=official)).status_code == 403
    done = await client.post(f"{base}/reconcile", headers=admin)
    assert done.status_code == 200
    assert done.json() == {"batch_id": batch_id, "counted": 2, "spoiled": 1, "invalid": 0}
    async with intake.sessions.begin() as session:
        rows = (await session.execute(text("SELECT status, selections, reason FROM ballots ORDER BY id"))).all()
    assert rows == [("counted", '["a", "d"]', None), ("counted", '["c"]', None), ("spoiled", "[]", "torn in two")]
    # a reconciled batch no longer changes
    assert (await client.put(f"{base}/papers/1", json={"selections": ["b"]}, headers=official)).status_code == 409


async def test_invalid_paper_is_kept_with_its_reason(client, admin, official, official2, intake, batch):
    election_id, batch_id = batch
    base = f"/api/v1/elections/{election_id}/batches/{batch_id}"
    papers = [{"selections": ["a", "b"]}, {"selections": ["c"]}, {"selections": ["d"]}]
    for headers in (official, official2):
        for seq, paper in enumerate(papers, start=1):
            await key(client, headers, election_id, batch_id, seq, paper)
    done = await client.post(f"{base}/reconcile", headers=admin)
    assert done.json() == {"batch_id": batch_id, "counted": 2, "spoiled": 0, "invalid": 1}
    async with intake.sessions.begin() as session:
        status, reason = (await session.execute(text("SELECT status, reason FROM ballots ORDER BY id"))).first()
    assert status == "invalid"
    assert "'parks' cost 70; the cap is 60" in reason


async def test_keying_rules(client, admin, official, official2, observer, batch):
    election_id, batch_id = batch
    base = f"/api/v1/elections/{election_id}/batches/{batch_id}"
    assert (await client.put(f"{base}/papers/4", json={"selections": []}, headers=official)).status_code == 422
    assert (await client.put(f"{base}/papers/1", json={"selections": ["a"]}, headers=observer)).status_code == 403
    # an official correcting their own keying stays pass 1; a third official is refused
    assert await key(client, official, election_id, batch_id, 1, {"selections": ["a"]}) == 1
    assert await key(client, official, election_id, batch_id, 1, {"selections": ["b"]}) == 1
    assert await key(client, official2, election_id, batch_id, 1, {"selections": ["b"]}) == 2
    third = await client.put(f"{base}/papers/1", json={"selections": ["b"]}, headers=admin)
    assert third.status_code == 409
    zero = await client.post(
        f"/api/v1/elections/{election_id}/batches", json={"label": "x", "envelope_count": 0}, headers=official
    )
    assert zero.status_code == 422


async def test_unreconciled_batch_blocks_the_tally(client, admin, batch):
    election_id, _ = batch
    await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)
    response = await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)
    assert response.status_code == 409
    assert "not reconciled" in response.json()["detail"]
