"""`pbvote export` / `pbvote import`: an election moved mid-vote SQLite -> PostgreSQL -> SQLite loses nothing.

The election is open with online ballots (under idempotency keys), a kiosk check-in still pending, a kiosk
ballot (both check-ins with a declared gender or age group, so participation rows), a reconciled paper batch
with a spoiled paper, and a second batch keyed twice with a mismatch resolved but not yet reconciled. After each
move every table is compared row by row with the source, the export of the target is byte-identical to the
source's, and voting goes on on the target with the same secret and tokens: one ballot per voter still holds, a
retry from before the move gets its first answer, the pending check-in and the open batch are finished there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from api.cli import main
from api.settings import Settings
from ballots.staff import create_token
from ballots.store.engine import make_engine
from ballots.transfer import _STAFF, _TABLES, _encode, _order
from tests.integration.api.helpers import CITY, make_codes, open_election, vote
from tests.integration.conftest import run_async, truncate

SECRET = "transfer-secret"


def _app(url):
    return create_app(Settings(database_url=url, secret=SECRET))


async def _rows(url):
    """Every row of every table, except audit entries tied to no election (staff token creation stays behind)."""
    engine = make_engine(url, null_pool=True)
    try:
        async with engine.connect() as connection:
            return {
                table.name: [
                    {k: _encode(v) for k, v in row._mapping.items()}
                    for row in await connection.execute(select(table).order_by(*_order(table)))
                    if table.name != "audit_log" or row.election_id is not None
                ]
                for table in (*_TABLES, _STAFF)
            }
    finally:
        await engine.dispose()


async def _key(client, headers, base, seq, body):
    response = await client.put(f"{base}/papers/{seq}", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def _voting_begins(url):
    """An open election on SQLite, mid-way; returns what the test needs to go on voting elsewhere."""
    app = _app(url)
    sessions = app.state.intake.sessions
    tokens = {role: await create_token(sessions, role.rstrip("2"), role) for role in ("admin", "official", "official2")}
    admin, official, official2 = ({"Authorization": f"Bearer {tokens[r]}"} for r in ("admin", "official", "official2"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        body = {"name": "Riverside 2026", "definition": CITY, "rule": "greedy"}
        election_id = (await client.post("/api/v1/elections", json=body, headers=admin)).json()["id"]
        codes = await make_codes(client, admin, election_id, 8)
        kiosk = await client.post(f"/api/v1/elections/{election_id}/kiosks", json={"name": "Library"}, headers=admin)
        kiosk_base = f"/api/v1/elections/{election_id}/kiosks/{kiosk.json()['id']}"
        await open_election(client, admin, election_id)
        receipts = []
        for n, selections in enumerate((["a"], ["c", "d"], ["b", "d"])):
            response = await vote(client, election_id, codes[n], selections, headers={"Idempotency-Key": f"k{n}"})
            assert response.status_code == 201
            receipts.append(response.json()["receipt"])
        credential = {"credential": {"kind": "code", "value": codes[3]}, "profile": {"gender": "female"}}
        pending = (await client.post(f"{kiosk_base}/checkins", json=credential, headers=official)).json()["checkin"]
        credential = {"credential": {"kind": "code", "value": codes[4]}, "profile": {"age_group": "65+"}}
        checkin = (await client.post(f"{kiosk_base}/checkins", json=credential, headers=official)).json()["checkin"]
        entered = await client.post(
            f"{kiosk_base}/checkins/{checkin}/ballot", json={"selections": ["c"]}, headers=official
        )
        assert entered.status_code == 201
        batches = []
        for label in ("Box 1", "Box 2"):
            batch = await client.post(
                f"/api/v1/elections/{election_id}/batches", json={"label": label, "envelope_count": 3}, headers=official
            )
            batches.append(f"/api/v1/elections/{election_id}/batches/{batch.json()['id']}")
        papers = [{"selections": ["a", "d"]}, {"selections": ["c"]}, {"selections": [], "spoiled": "torn in two"}]
        for base in batches:
            for seq, paper in enumerate(papers, start=1):
                await _key(client, official, base, seq, paper)
                await _key(client, official2, base, seq, paper if seq != 2 else {"selections": ["b"]})
            resolved = await client.put(f"{base}/papers/2/resolution", json={"selections": ["c"]}, headers=admin)
            assert resolved.status_code == 200
        assert (await client.post(f"{batches[0]}/reconcile", headers=admin)).status_code == 200
    await app.state.engine.dispose()
    return {
        "election_id": election_id, "codes": codes, "receipts": receipts, "pending": pending,
        "kiosk": kiosk_base, "open_batch": batches[1], "admin": admin, "official": official,
    }  # fmt: skip


async def _voting_goes_on(url, state, newcomer):
    app = _app(url)
    election_id, codes = state["election_id"], state["codes"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        again = await vote(client, election_id, codes[0], ["d"])
        assert again.status_code == 409
        assert "already voted" in again.json()["detail"]
        at_kiosk = await vote(client, election_id, codes[3], ["d"])
        assert at_kiosk.status_code == 409
        retry = await vote(client, election_id, codes[1], ["c", "d"], headers={"Idempotency-Key": "k1"})
        assert (retry.status_code, retry.json()["receipt"]) == (201, state["receipts"][1])
        assert retry.headers["Idempotent-Replayed"] == "true"
        fresh = await vote(client, election_id, codes[newcomer], ["b"])
        assert fresh.status_code == 201
        turnout = (await client.get(f"/api/v1/elections/{election_id}/turnout")).json()
    await app.state.engine.dispose()
    return turnout["total"]


async def _finish_on(url, state):
    app = _app(url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as client:
        body = {"selections": ["a"]}
        entered = await client.post(
            f"{state['kiosk']}/checkins/{state['pending']}/ballot", json=body, headers=state["official"]
        )
        assert entered.status_code == 201
        reconciled = await client.post(f"{state['open_batch']}/reconcile", headers=state["admin"])
        assert reconciled.json()["counted"] == 2
    await app.state.engine.dispose()


def _move(source, target, election_id, folder, name):
    exported = folder / f"{name}.json"
    assert main(["export", str(election_id), str(exported), "--db", source]) == 0
    assert main(["import", str(exported), "--db", target]) == 0
    assert run_async(_rows(target)) == run_async(_rows(source))
    again = folder / f"{name}-again.json"
    assert main(["export", str(election_id), str(again), "--db", target]) == 0
    assert again.read_bytes() == exported.read_bytes()
    return exported


def test_move_sqlite_to_postgresql_and_back_mid_vote(tmp_path: Path, sqlite_template: Path, postgres_url: str, capsys):
    run_async(truncate(postgres_url))
    shutil.copyfile(sqlite_template, tmp_path / "town.db")
    shutil.copyfile(sqlite_template, tmp_path / "back.db")
    town, back = f"sqlite+aiosqlite:///{tmp_path / 'town.db'}", f"sqlite+aiosqlite:///{tmp_path / 'back.db'}"
    state = run_async(_voting_begins(town))
    election_id = state["election_id"]

    declared = {(row["gender"], row["age_group"]) for row in run_async(_rows(town))["participation"]}
    assert {("female", None), (None, "65+")} <= declared  # the kiosk check-ins' declarations move with the rest
    exported = _move(town, postgres_url, election_id, tmp_path, "to-server")
    # counted so far: 3 online, 1 kiosk, 2 reconciled papers (+ the newcomer)
    assert run_async(_voting_goes_on(postgres_url, state, newcomer=5)) == 7
    capsys.readouterr()
    assert main(["import", str(exported), "--db", postgres_url]) == 2
    assert "already exists" in capsys.readouterr().err

    _move(postgres_url, back, election_id, tmp_path, "back")
    assert run_async(_voting_goes_on(back, state, newcomer=6)) == 8
    run_async(_finish_on(back, state))
    assert main(["import", str(tmp_path / "back.json"), "--db", back]) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON file (line 1, column 2)"),
        ('{"format": "something-else"}', "not a pbvote election export"),
        ('{"format": "pbvote-election", "version": 99}', "version 99"),
    ],
)
def test_import_refuses_what_is_not_an_export(tmp_path: Path, capsys, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["import", str(path), "--db", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"]) == 2
    assert message in capsys.readouterr().err


def test_export_of_an_unknown_election_says_so(tmp_path: Path, sqlite_template: Path, capsys):
    shutil.copyfile(sqlite_template, tmp_path / "town.db")
    assert main(["export", "41", str(tmp_path / "x.json"), "--db", f"sqlite+aiosqlite:///{tmp_path / 'town.db'}"]) == 2
    assert "no election with id 41" in capsys.readouterr().err
