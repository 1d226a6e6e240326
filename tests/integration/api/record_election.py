"""A small simulated election run through the API until its record is published, for the record tests.

Everything that could vary between runs is fixed: the officials' keys come from seeds, receipt codes from a seeded
generator (installed by the caller), ballots are cast one after another. Two runs on fresh databases must therefore
publish the same `ballots.jsonl` and `result.json`, byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from pbvote.record.manifest import public_key_bytes
from pbvote.record.receipts import RECEIPT_ALPHABET
from tests.integration.api.helpers import CITY, Client, make_codes, vote

RULE = "greedy"  # a real rule: `pbvote verify` reruns it in a fresh process
OFFICIALS = ("alice", "bob")
# (online selections...), kiosk K1 entered by an official, kiosk K2 synced from an offline queue
ONLINE = (["a"], ["a", "d"], ["b", "c"], ["c"], ["d", "b"], ["a", "c", "d"], ["c", "d"], ["b"])
KIOSK_ENTERED = (["a", "c"], ["d"])
KIOSK_SYNCED = (["b", "d"], ["a"])
# batch 1: four papers, one spoiled, one invalid (a + b spend 70 on parks, over the cap of 60);
# batch 2: three papers, the second keyed differently by the two officials
BATCH_1 = (
    {"selections": ["a", "d"]},
    {"selections": ["c"]},
    {"selections": [], "spoiled": "torn in half"},
    {"selections": ["a", "b"]},
)
BATCH_2 = ({"selections": ["d"]}, {"selections": ["a", "d"]}, {"selections": ["b", "c"]})
BATCH_2_SECOND_READING = {2: {"selections": ["a", "c"]}}


def official_key(name: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"record-test:{name}".encode()).digest())


def write_key(name: str, folder: Path) -> Path:
    path = folder / f"{name}.pem"
    path.write_bytes(official_key(name).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def seeded_receipts(seed: int) -> Any:
    """A receipt-code generator for `ballots.credentials.new_receipt_code`, the same on every run."""
    rng = random.Random(seed)

    def new_code() -> str:
        raw = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(20))
        return "-".join(raw[i : i + 4] for i in range(0, 20, 4))

    return new_code


@dataclass
class Run:
    election_id: int
    election_hash: str
    receipts: dict[str, str]  # receipt code -> channel
    url: str


async def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def cast_everything(client: Client, admin: dict[str, str], staff: tuple[dict[str, str], dict[str, str]]) -> Run:
    """Create, load the roll, register officials, open, take every ballot, close and tally (not yet signed)."""
    body = {"name": "Record town", "definition": CITY, "rule": RULE}
    election_id = (await _ok(await client.post("/api/v1/elections", json=body, headers=admin), 201))["id"]
    url = f"/api/v1/elections/{election_id}"
    codes = await make_codes(client, admin, election_id, len(ONLINE) + len(KIOSK_ENTERED) + len(KIOSK_SYNCED) + 1)
    for name in OFFICIALS:
        key = public_key_bytes(official_key(name)).hex()
        await _ok(await client.post(f"{url}/officials", json={"name": name, "public_key": key}, headers=admin), 201)
    kiosks = [
        (await _ok(await client.post(f"{url}/kiosks", json={"name": n}, headers=admin), 201))["id"] for n in "K1 K2"
    ]
    election_hash = (await _ok(await client.post(f"{url}/open", headers=admin)))["election_hash"]
    receipts: dict[str, str] = {}
    for code, selections in zip(codes, ONLINE, strict=False):
        receipts[(await _ok(await vote(client, election_id, code, selections), 201))["receipt"]] = "online"
    kiosk_codes = codes[len(ONLINE) :]
    for code, selections in zip(kiosk_codes, KIOSK_ENTERED, strict=False):
        credential = {"credential": {"kind": "code", "value": code}}
        checkin = await _ok(
            await client.post(f"{url}/kiosks/{kiosks[0]}/checkins", json=credential, headers=staff[0]), 201
        )
        entered = await client.post(
            f"{url}/kiosks/{kiosks[0]}/checkins/{checkin['checkin']}/ballot",
            json={"selections": selections},
            headers=staff[0],
        )
        receipts[(await _ok(entered, 201))["receipt"]] = "kiosk"
    # one resident checks in at K1 and leaves without a ballot: a difference the reconciliation explains
    walked_out = {"credential": {"kind": "code", "value": kiosk_codes[-1]}}
    await _ok(await client.post(f"{url}/kiosks/{kiosks[0]}/checkins", json=walked_out, headers=staff[0]), 201)
    queue = [
        {"uuid": str(uuid.UUID(int=n + 1)), "credential": {"kind": "code", "value": code}, "selections": selections}
        for n, (code, selections) in enumerate(zip(kiosk_codes[len(KIOSK_ENTERED) :], KIOSK_SYNCED, strict=False))
    ]
    synced = await _ok(await client.post(f"{url}/kiosks/{kiosks[1]}/sync", json={"ballots": queue}, headers=staff[0]))
    receipts.update({item["receipt"]: "kiosk" for item in synced})
    await key_batch(client, url, staff, admin, BATCH_1, {})
    await key_batch(client, url, staff, admin, BATCH_2, BATCH_2_SECOND_READING)
    await _ok(await client.post(f"{url}/close", headers=admin))
    await _ok(await client.post(f"{url}/tally", headers=admin))
    return Run(election_id, election_hash, receipts, url)


async def key_batch(
    client: Client,
    url: str,
    staff: tuple[dict[str, str], dict[str, str]],
    admin: dict[str, str],
    papers: tuple[dict[str, Any], ...],
    second_reading: dict[int, dict[str, Any]],
) -> None:
    batch = await _ok(
        await client.post(f"{url}/batches", json={"label": "box", "envelope_count": len(papers)}, headers=staff[0]), 201
    )
    for number, headers in enumerate(staff):
        for seq, paper in enumerate(papers, start=1):
            body = second_reading.get(seq, paper) if number == 1 else paper
            await _ok(await client.put(f"{url}/batches/{batch['id']}/papers/{seq}", json=body, headers=headers))
    for seq in second_reading:  # the coordinator reads the paper itself: the first keying was right
        await _ok(
            await client.put(
                f"{url}/batches/{batch['id']}/papers/{seq}/resolution", json=papers[seq - 1], headers=admin
            )
        )
    await _ok(await client.post(f"{url}/batches/{batch['id']}/reconcile", headers=admin))


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files["ballots.jsonl"].decode().splitlines()]
