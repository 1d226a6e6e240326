"""The published record of an election run through the API: signed by officials away from the server, verified
by `pbvote verify` in a fresh process, receipts proven, tampering caught, and the same bytes on every run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.cli import main
from api.settings import Settings
from ballots import credentials
from ballots.staff import create_token
from pbvote.canonical import canonical_bytes
from pbvote.record.definition import parse_election_file
from pbvote.record.layout import write_folder
from pbvote.record.manifest import manifest_body, public_key_bytes, sign, signing_message
from tally.verify import verify_record
from tests.integration.api.helpers import create_election
from tests.integration.api.record_election import (
    OFFICIALS,
    Run,
    cast_everything,
    lines,
    official_key,
    seeded_receipts,
    unzip,
    write_key,
)

pytestmark = pytest.mark.anyio

PBVOTE = str(Path(sys.executable).with_name("pbvote"))


def ballot_lines(files: dict[str, bytes]) -> list[str]:
    return files["ballots.jsonl"].decode().splitlines()


def with_lines(files: dict[str, bytes], lines: list[str]) -> dict[str, bytes]:
    return {**files, "ballots.jsonl": "".join(f"{line}\n" for line in lines).encode()}


def change_selection(files):
    lines = ballot_lines(files)
    ballot = json.loads(lines[0])
    ballot["selections"] = ["d"] if ballot["selections"] != ["d"] else ["c"]  # still a valid ballot
    return with_lines(files, [canonical_bytes(ballot).decode(), *lines[1:]])


def drop_ballot(files):
    lines = ballot_lines(files)
    return with_lines(files, lines[:5] + lines[6:])


def add_ballot(files):
    extra = {"ballot_id": "7" * 64, "channel": "paper", "selections": ["d"], "source": "1"}
    return with_lines(files, sorted([*ballot_lines(files), canonical_bytes(extra).decode()]))


def duplicate_ballot(files):
    lines = ballot_lines(files)
    return with_lines(files, [*lines[:6], lines[5], *lines[6:]])


def change_cost(files):
    election = json.loads(files["election.json"])
    election["projects"][1]["cost"] += 1
    return {**files, "election.json": canonical_bytes(election)}


def edit_result(files):
    result = json.loads(files["result.json"])
    result["selection"][0]["running_cost"] += 1
    return {**files, "result.json": canonical_bytes(result)}


def reorder_lines(files):
    lines = ballot_lines(files)
    lines[3], lines[4] = lines[4], lines[3]
    return with_lines(files, lines)


def swap_signatures(files):
    manifest = json.loads(files["MANIFEST.json"])
    first, second = manifest["signatures"]
    first["signature"], second["signature"] = second["signature"], first["signature"]
    return {**files, "MANIFEST.json": canonical_bytes(manifest)}


# (tamper, checks that must fail, checks that may also fail): 8 when the change alters the outcome, 4 when a cost
# change makes a stored ballot break a cap
INSIDER = (
    (change_selection, {5, 6}, {8}),
    (drop_ballot, {5, 6, 7}, {8}),
    (add_ballot, {5, 6, 7}, {8}),
    (duplicate_ballot, {4, 5, 6, 7}, {8}),
    (change_cost, {3, 5}, {4, 8}),
    (edit_result, {8}, set()),
    (reorder_lines, {4, 5, 6}, set()),
)


def resign(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with a manifest re-signed by the officials' keys: an insider's tampering."""
    frozen = parse_election_file(files["election.json"])
    body = {name: data for name, data in files.items() if name != "MANIFEST.json"}
    keys = {name: official_key(name) for name in OFFICIALS}
    return {**body, "MANIFEST.json": canonical_bytes(sign(manifest_body(body, frozen.hash), frozen.officials, keys))}


def pbvote(*args: str) -> subprocess.CompletedProcess[str]:
    """`pbvote` as an observer runs it: a separate process, no server, no database."""
    return subprocess.run([PBVOTE, *args], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603 -- our own console script


async def sign_as_officials(client, run: Run, staff, tmp_path: Path, capsys) -> None:
    """Each official downloads the unsigned record, checks and signs it locally with `pbvote sign`, posts it."""
    unsigned = await client.get(f"{run.url}/record/unsigned", headers=staff[0])
    assert unsigned.status_code == 200, unsigned.text
    archive = tmp_path / "unsigned.zip"
    archive.write_bytes(unsigned.content)
    for name in OFFICIALS:
        capsys.readouterr()
        assert main(["sign", str(archive), "--key", str(write_key(name, tmp_path)), "--official", name]) == 0
        body = json.loads(capsys.readouterr().out)
        # before the last signature the record is not published and receipts find nothing
        assert (await client.get(f"{run.url}/record")).status_code == 404
        posted = await client.post(f"{run.url}/signatures", json=body, headers=staff[1])
        assert posted.status_code == 201, posted.text


@pytest.fixture(name="receipt_codes", autouse=True)
def fx_receipt_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "new_receipt_code", seeded_receipts(7))


async def publish(client, admin, staff, tmp_path: Path, capsys) -> tuple[Run, dict[str, bytes]]:
    """Run the election, have both officials sign, download the published record."""
    run = await cast_everything(client, admin, staff)
    # the manifest is served for signing, unsigned; the record waits for both officials
    manifest = (await client.get(f"{run.url}/manifest")).json()
    assert manifest["election_hash"] == run.election_hash
    assert manifest["signatures"] == []
    assert "alice, bob" in (await client.get(f"{run.url}/record")).json()["detail"]
    await sign_as_officials(client, run, staff, tmp_path, capsys)
    officials = (await client.get(f"{run.url}/officials")).json()
    assert [(o["name"], o["signed"]) for o in officials] == [("alice", True), ("bob", True)]
    archive = await client.get(f"{run.url}/record")
    assert archive.status_code == 200
    assert archive.headers["content-type"] == "application/zip"
    assert (await client.get(f"{run.url}/record")).content == archive.content  # a deterministic archive
    (tmp_path / "record.zip").write_bytes(archive.content)
    return run, unzip(archive.content)


def check_contents(run: Run, files: dict[str, bytes]) -> None:
    """The ballots, channels and reconciliation the simulated election must publish (counted by hand)."""
    # one election_hash everywhere: the API's, SHA-256 of election.json, the officials frozen in it
    frozen = parse_election_file(files["election.json"])
    assert frozen.hash == run.election_hash
    assert [o.name for o in frozen.officials] == list(OFFICIALS)
    # 8 online + 2 entered at K1 + 2 synced at K2 + 2 valid papers in batch 1 + 3 in batch 2
    ballots = lines(files)
    assert len(ballots) == 17
    sources = {(b["channel"], b.get("source")) for b in ballots}
    assert sources == {("online", None), ("kiosk", "1"), ("kiosk", "2"), ("paper", "1"), ("paper", "2")}
    reconciliation = {(e["channel"], e["source"]): e for e in json.loads(files["reconciliation.json"])["entries"]}
    assert reconciliation["kiosk", "1"]["checkins"] == 3  # two ballots and the resident who walked out
    assert reconciliation["kiosk", "1"]["differences"][0]["count"] == 1
    batch_1, batch_2 = reconciliation["paper", "1"], reconciliation["paper", "2"]
    assert (batch_1["envelopes"], batch_1["accepted"], batch_1["double_entry"]) == (4, 2, "matched")
    assert [s["reason"].split(":")[0] for s in batch_1["spoiled"]] == ["invalid", "spoiled"]
    assert (batch_2["envelopes"], batch_2["accepted"], batch_2["double_entry"]) == (3, 3, "resolved")


async def test_api_record_passes_pbvote_verify_and_proves_receipts(
    client, admin, official, official2, tmp_path, capsys
):
    run, files = await publish(client, admin, (official, official2), tmp_path, capsys)
    check_contents(run, files)
    assert (await client.get(f"{run.url}/election.json")).content == files["election.json"]
    verified = pbvote("verify", str(tmp_path / "record.zip"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "8 of 8 checks passed" in verified.stdout

    # a receipt, through the API and through `pbvote verify --receipt`: the same line, proven under the same root
    code = next(c for c, channel in run.receipts.items() if channel == "kiosk")
    proof = (await client.get(f"{run.url}/receipts/{code}")).json()
    assert proof["verified"] is True
    assert json.loads(proof["line"])["channel"] == "kiosk"
    assert proof["root"] == json.loads(files["commitments.json"])["ballots"]["root"]
    folder = write_folder(files, tmp_path / "record")
    checked = pbvote("verify", str(folder), "--receipt", code.lower())
    assert checked.returncode == 0, checked.stdout
    assert f"ballots.jsonl line {proof['line_number']}: {proof['line']}" in checked.stdout
    assert f"receipt PASS  included under the published root {proof['root']}" in checked.stdout
    assert (await client.get(f"{run.url}/receipts/{'0' * 20}")).status_code == 404
    assert (await client.get(f"{run.url}/receipts/not-a-code")).status_code == 404


async def test_tampered_api_record_fails_the_check_that_names_it(client, admin, official, official2, tmp_path, capsys):
    _, files = await publish(client, admin, (official, official2), tmp_path, capsys)
    # an outsider changes one selection in ballots.jsonl
    folder = write_folder(change_selection(files), tmp_path / "record")
    caught = pbvote("verify", str(folder))
    assert caught.returncode == 1
    assert "[1] FAIL  every file's SHA-256 matches MANIFEST.json" in caught.stdout
    assert "ballots.jsonl: SHA-256 is" in caught.stdout
    # an insider who re-signs the manifest after each change is still caught, by the check that names the change
    for tamper, must, may in INSIDER:
        changed_files = resign(tamper(files))
        failures = {r.number for r in verify_record(changed_files) if not r.passed}
        assert must <= failures <= must | may, (tamper.__name__, failures)
    assert {r.number for r in verify_record(swap_signatures(files)) if not r.passed} == {2}


async def test_signatures_are_checked_against_the_published_keys(client, admin, official, official2):
    run = await cast_everything(client, admin, (official, official2))
    manifest = (await client.get(f"{run.url}/manifest")).json()
    forged = official_key("mallory").sign(signing_message(manifest)).hex()
    refused = await client.post(
        f"{run.url}/signatures", json={"official": "alice", "signature": forged}, headers=official
    )
    assert refused.status_code == 422
    assert "does not verify with 'alice'" in refused.json()["detail"]
    unknown = await client.post(
        f"{run.url}/signatures", json={"official": "carol", "signature": forged}, headers=official
    )
    assert unknown.status_code == 404
    assert (await client.get(f"{run.url}/officials")).json()[0]["signed"] is False
    # officials are registered only while the election is a draft
    late = {"name": "carol", "public_key": "ab" * 32}
    assert (await client.post(f"{run.url}/officials", json=late, headers=admin)).status_code == 409


async def test_two_runs_publish_the_same_ballots_and_result(
    client, admin, official, official2, sqlite_template, tmp_path, capsys, monkeypatch
):
    published = []
    for number in range(2):
        if number == 1:  # the second run: a fresh SQLite database, the receipt generator restarted
            monkeypatch.setattr(credentials, "new_receipt_code", seeded_receipts(7))
            database = tmp_path / "second.db"
            shutil.copyfile(sqlite_template, database)
            app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{database}", secret="test-secret"))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
            intake = app.state.intake
            admin = {"Authorization": f"Bearer {await create_token(intake.sessions, 'admin', 'coordinator')}"}
            official = {"Authorization": f"Bearer {await create_token(intake.sessions, 'official', 'one')}"}
            official2 = {"Authorization": f"Bearer {await create_token(intake.sessions, 'official', 'two')}"}
        run = await cast_everything(client, admin, (official, official2))
        (tmp_path / str(number)).mkdir()
        await sign_as_officials(client, run, (official, official2), tmp_path / str(number), capsys)
        published.append(unzip((await client.get(f"{run.url}/record")).content))
        if number == 1:
            await client.aclose()
            await app.state.engine.dispose()
    first, second = published
    assert first["ballots.jsonl"] == second["ballots.jsonl"]
    assert first["result.json"] == second["result.json"]
    assert len(lines(first)) == 17


async def test_officials_are_registered_once_each_before_opening(client, admin, official):
    election_id = await create_election(client, admin)
    url = f"/api/v1/elections/{election_id}"
    alice = {"name": "alice", "public_key": public_key_bytes(official_key("alice")).hex()}
    assert (await client.post(f"{url}/officials", json=alice, headers=official)).status_code == 403
    assert (await client.post(f"{url}/officials", json=alice, headers=admin)).status_code == 201
    again = await client.post(f"{url}/officials", json={**alice, "name": "alice2"}, headers=admin)
    assert again.status_code == 409
    assert "registered already" in again.json()["detail"]
    twice = await client.post(f"{url}/officials", json={**alice, "public_key": "cd" * 32}, headers=admin)
    assert twice.status_code == 409
    short = await client.post(f"{url}/officials", json={"name": "bob", "public_key": "ab" * 31}, headers=admin)
    assert short.status_code == 422
    assert short.json()["reasons"][0]["field"] == "public_key"
    # nothing is frozen, and no record exists, before opening and tally
    assert (await client.get(f"{url}/election.json")).status_code == 404
    assert (await client.get(f"{url}/manifest")).status_code == 404
    assert (await client.get(f"{url}/record")).status_code == 404
