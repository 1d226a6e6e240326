from __future__ import annotations

import asyncio
import hashlib
import json
import threading

import pytest

from ballots import elections
from tests.integration.api.helpers import CITY, DISTRICTS, TEST_RULE, create_election, make_codes, open_election

pytestmark = pytest.mark.anyio

PB = """META
key;value
description;Tiny test election
country;Poland
unit;Testville
instance;2024
num_projects;2
num_votes;1
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
1;60;Park
2;50;Road
VOTES
voter_id;vote
v1;1,2
"""


async def test_create_from_json_and_publish_hash_at_open(client, admin):
    election_id = await create_election(client, admin)
    draft = (await client.get(f"/api/v1/elections/{election_id}")).json()
    assert draft["status"] == "draft"
    assert draft["election_hash"] is None
    opened = await open_election(client, admin, election_id)
    assert opened["status"] == "open"
    # the hash is SHA-256 of the frozen `election.json`: the definition plus the rule with its options and the
    # officials' keys, in canonical JSON (sorted keys, no spaces, UTF-8), checked here by hand
    frozen = (await client.get(f"/api/v1/elections/{election_id}/election.json")).content
    assert opened["election_hash"] == hashlib.sha256(frozen).hexdigest()
    document = json.loads(frozen)
    assert frozen == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert {k: v for k, v in document.items() if k not in {"tally", "officials"}} == opened["definition"]
    assert document["tally"]["rule"] == TEST_RULE
    assert document["officials"] == []


async def test_create_from_pb_upload(client, admin):
    files = {"file": ("tiny.pb", PB.encode(), "application/octet-stream")}
    params = {"name": "Testville", "rule": TEST_RULE}
    response = await client.post("/api/v1/elections/pabulib", files=files, params=params, headers=admin)
    assert response.status_code == 201, response.text
    definition = response.json()["definition"]
    assert definition["budget"] == 100
    assert [(p["id"], p["cost"]) for p in definition["projects"]] == [("1", 60), ("2", 50)]


async def test_malformed_pb_names_the_line(client, admin):
    bad = PB.replace("1;60;Park", "1;sixty;Park")
    files = {"file": ("bad.pb", bad.encode(), "application/octet-stream")}
    response = await client.post(
        "/api/v1/elections/pabulib", files=files, params={"name": "x", "rule": TEST_RULE}, headers=admin
    )
    assert response.status_code == 422
    assert "bad.pb:14" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"rule": "no-such-rule"}, "unknown rule 'no-such-rule'"),
        ({"rule_options": {"satisfaction": "joy"}}, "joy"),
        ({"rule_options": {"tie_break": "max-luck"}}, "max-luck"),
        ({"rule_options": {"colour": "red"}}, "unknown rule option 'colour'"),
        ({"definition": {**CITY, "budget": 0}}, "budget must be positive"),
        ({"definition": {**DISTRICTS, "districts": {"north": 10, "south": 40}}}, "add up to 50"),
        ({"eligibility": {"min_age": 16}}, "reference_year"),
    ],
)
async def test_bad_definitions_are_refused_with_the_reason(client, admin, change, words):
    body = {"name": "x", "definition": CITY, "rule": TEST_RULE, **change}
    response = await client.post("/api/v1/elections", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]


@pytest.mark.parametrize(
    ("project", "field"),
    [
        ({"id": "a", "cost": 1.5}, "definition.projects.0.cost"),
        ({"id": "a", "cost": "10"}, "definition.projects.0.cost"),
        ({"id": "a", "cost": 10, "category": "parks"}, "definition.projects.0.category"),
        ({"id": "", "cost": 10}, "definition.projects.0.id"),
        ({"id": "a", "cost": 10, "colour": "red"}, "definition.projects.0.colour"),
    ],
)
async def test_malformed_definition_names_the_field(client, admin, project, field):
    body = {"name": "x", "definition": {**CITY, "projects": [project]}, "rule": TEST_RULE}
    response = await client.post("/api/v1/elections", json=body, headers=admin)
    assert response.status_code == 422
    assert field in [r["field"] for r in response.json()["reasons"]]


async def test_lifecycle_moves_only_forward(client, admin):
    election_id = await create_election(client, admin)
    assert (await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)).status_code == 409
    assert (await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)).status_code == 409
    await open_election(client, admin, election_id)
    assert (await client.post(f"/api/v1/elections/{election_id}/open", headers=admin)).status_code == 409
    # the roll is frozen with the definition
    codes = await client.post(f"/api/v1/elections/{election_id}/roll/codes", json={"count": 1}, headers=admin)
    assert codes.status_code == 409
    assert (await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)).json()["status"] == "closed"
    assert (await client.get(f"/api/v1/elections/{election_id}/result")).status_code == 404


async def test_staff_roles(client, admin, official, observer):
    body = {"name": "x", "definition": CITY, "rule": TEST_RULE}
    missing = await client.post("/api/v1/elections", json=body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert (
        await client.post("/api/v1/elections", json=body, headers={"Authorization": "Bearer nope"})
    ).status_code == 401
    assert (await client.post("/api/v1/elections", json=body, headers=official)).status_code == 403
    assert (await client.post("/api/v1/elections", json=body, headers=observer)).status_code == 403
    assert (await client.get("/api/v1/audit", headers=official)).status_code == 403
    assert (await client.get("/api/v1/audit", headers=observer)).status_code == 200


async def test_audit_log_records_staff_actions(client, admin, observer):
    election_id = await create_election(client, admin)
    await make_codes(client, admin, election_id, 2)
    await open_election(client, admin, election_id)
    entries = (await client.get("/api/v1/audit", params={"election_id": election_id}, headers=observer)).json()
    assert [e["action"] for e in entries] == ["election.create", "roll.codes", "election.open"]
    assert {e["role"] for e in entries} == {"admin"}


async def test_health_and_openapi(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/elections/{election_id}/ballots" in schema["paths"]


async def test_tally_hand_worked(client, admin):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 4)
    await open_election(client, admin, election_id)
    for code, selections in zip(codes, (["a", "d"], ["a"], ["c", "d"], ["d"]), strict=True):
        assert (
            await client.post(
                f"/api/v1/elections/{election_id}/ballots",
                json={"credential": {"kind": "code", "value": code}, "selections": selections},
            )
        ).status_code == 201
    await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)
    tallied = await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)
    assert tallied.status_code == 200
    # approvals: d 3, a 2, c 1, b 0. Most approved first: d (20), a (40) -> 60 spent; c (50) would make 110 > 100.
    allocation = (await client.get(f"/api/v1/elections/{election_id}/result")).json()["allocation"]
    assert (allocation["selected"], allocation["total_cost"], allocation["leftover"]) == (["d", "a"], 60, 40)
    assert (await client.get(f"/api/v1/elections/{election_id}")).json()["status"] == "tallied"
    assert (await client.post(f"/api/v1/elections/{election_id}/tally", headers=admin)).status_code == 409


async def test_the_server_answers_while_a_tally_runs(client, admin, monkeypatch):
    # a long tally (MES with Add1 steps the voter budget one unit at a time) runs in a worker thread: the event loop
    # goes on answering everyone else meanwhile, instead of freezing until the tally ends
    election_id = await create_election(client, admin)
    await open_election(client, admin, election_id)
    assert (await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)).status_code == 200
    started, release = threading.Event(), threading.Event()
    released: list[bool] = []
    real = elections.tally_profile

    def held(*args):
        started.set()
        # on the event loop this would hold every request, the test's own release too, until it timed out
        released.append(release.wait(timeout=5))
        return real(*args)

    monkeypatch.setattr(elections, "tally_profile", held)
    tally = asyncio.create_task(client.post(f"/api/v1/elections/{election_id}/tally", headers=admin))
    for _ in range(500):
        if started.is_set():
            break
        await asyncio.sleep(0.01)
    assert started.is_set()
    schema = await client.get("/schema/openapi.json")  # needs no database connection (the tally holds one)
    assert schema.status_code == 200
    release.set()  # answered while the tally was still running: now let it finish
    assert (await tally).status_code == 200
    assert released == [True]  # the tally was released by the test, not by its own timeout
