"""Elections used by the API tests, a test-local allocation rule, and request helpers."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from pbvote.ballot import Profile
from pbvote.election import Election
from tally.allocation import Allocation
from tally.options import RuleOptions

TEST_RULE = "test-most-approved"
Client = httpx.AsyncClient


def most_approved(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund projects by most approvals (ties: cheaper, then id), skipping any that no longer fit."""
    support = {p.id: 0 for p in election.projects}
    for ballot in profile:
        for project_id in set(ballot.selections):
            support[project_id] += 1
    order = sorted(election.projects, key=lambda p: (-support[p.id], p.cost, p.id))
    selected, spent = [], 0
    for project in order:
        if support[project.id] and spent + project.cost <= election.budget:
            selected.append(project.id)
            spent += project.cost
    return Allocation(TEST_RULE, {}, tuple(selected), spent, election.budget)


def project(pid: str, cost: int, category: list[str], district: str | None = None) -> dict[str, Any]:
    return {"id": pid, "cost": cost, "name": f"Project {pid}", "category": category, "district": district, "extra": {}}


# Riverside: one city-wide ballot of at most 3 projects, at most 60 spent on parks.
CITY: dict[str, Any] = {
    "budget": 100,
    "currency": "EUR",
    "rule": None,
    "districts": {},
    "meta": {},
    "ballot_rules": {"vote_type": "approval", "max_length": 3, "max_cost_per_category": {"parks": 60}},
    "projects": [
        project("a", 40, ["parks"]),
        project("b", 30, ["parks"]),
        project("c", 50, ["roads"]),
        project("d", 20, ["roads"]),
    ],
}

# Two districts with their own budgets (north 60, south 40).
DISTRICTS: dict[str, Any] = {
    **CITY,
    "budget": 100,
    "districts": {"north": 60, "south": 40},
    "ballot_rules": {"vote_type": "approval", "max_cost_per_category": {}},
    "projects": [
        project("n1", 30, ["parks"], "north"),
        project("n2", 40, ["roads"], "north"),
        project("s1", 20, ["parks"], "south"),
        project("s2", 30, ["roads"], "south"),
    ],
}


async def create_election(
    client: Client, admin: dict[str, str], definition: dict[str, Any] | None = None, **extra: Any
) -> int:
    body = {"name": "Riverside 2026", "definition": definition or CITY, "rule": TEST_RULE, **extra}
    response = await client.post("/api/v1/elections", json=body, headers=admin)
    assert response.status_code == 201, response.text
    election_id: int = response.json()["id"]
    return election_id


async def make_codes(
    client: Client, admin: dict[str, str], election_id: int, count: int, district: str | None = None
) -> list[str]:
    body: dict[str, Any] = {"count": count, "district": district}
    response = await client.post(f"/api/v1/elections/{election_id}/roll/codes", json=body, headers=admin)
    assert response.status_code == 201, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    return [row["code"] for row in rows]


async def upload_census(client: Client, admin: dict[str, str], election_id: int, text: str) -> Any:
    files = {"file": ("census.csv", text.encode("utf-8"), "text/csv")}
    return await client.post(f"/api/v1/elections/{election_id}/roll/census", files=files, headers=admin)


async def open_election(client: Client, admin: dict[str, str], election_id: int) -> dict[str, Any]:
    response = await client.post(f"/api/v1/elections/{election_id}/open", headers=admin)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def vote(
    client: Client,
    election_id: int,
    code: str,
    selections: list[str],
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    body = {"credential": {"kind": "code", "value": code}, "selections": selections, **extra}
    return await client.post(f"/api/v1/elections/{election_id}/ballots", json=body, headers=headers or {})


async def dump(intake: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in id order: compared before and after a refused request."""
    from sqlalchemy import text  # noqa: PLC0415

    tables = (
        "elections",
        "voters",
        "kiosks",
        "ballots",
        "idempotency_keys",
        "paper_batches",
        "paper_entries",
        "audit_log",
        "staff_tokens",
        "officials",
        "participation",
    )
    dumped = {}
    async with intake.sessions.begin() as session:
        for table in tables:
            order = "election_id, voter_key" if table == "participation" else "id"  # participation has no id
            query = text(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608 -- fixed table names
            dumped[table] = [tuple(row) for row in (await session.execute(query)).all()]
    return dumped
