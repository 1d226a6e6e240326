"""Seeding an open election over HTTP, and residents voting on a bad network.

Each resident's phone sends its ballot with an `Idempotency-Key` and keeps resending it, with the same key, until
it gets an answer: after a refused connection, a dropped one, a 503, or a response it gave up waiting for (some
requests use a timeout so short the answer is lost on purpose, as on a train going into a tunnel). Some residents
vote again later with a new key (the election allows changing a ballot), so the last acknowledged ballot is the one
that must count.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

RULE = "greedy"
# Five projects, at most three per ballot; every subset of 1 to 3 projects is a valid ballot.
DEFINITION: dict[str, Any] = {
    "budget": 100,
    "currency": "EUR",
    "rule": None,
    "districts": {},
    "meta": {},
    "ballot_rules": {"vote_type": "approval", "max_length": 3},
    "projects": [
        {"id": pid, "cost": cost, "name": f"Project {pid}", "category": [], "district": None, "extra": {}}
        for pid, cost in (("a", 40), ("b", 30), ("c", 50), ("d", 20), ("e", 10))
    ],
}
PROJECTS = tuple(p["id"] for p in DEFINITION["projects"])


@dataclass(frozen=True, slots=True)
class Seeded:
    """An open election: its id, its voting codes and an admin's headers."""

    election_id: int
    codes: tuple[str, ...]
    admin: dict[str, str]


def seed(base: str, token: str, voters: int, chunk: int = 20_000) -> Seeded:
    """Create an election allowing re-votes, give it `voters` codes (`chunk` a request), and open it."""
    admin = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=admin, timeout=120) as client:
        body = {"name": "Durability", "definition": DEFINITION, "rule": RULE, "allow_revote": True}
        created = client.post("/api/v1/elections", json=body)
        created.raise_for_status()
        election_id: int = created.json()["id"]
        codes: list[str] = []
        for start in range(0, voters, chunk):
            made = client.post(
                f"/api/v1/elections/{election_id}/roll/codes", json={"count": min(chunk, voters - start)}
            )
            made.raise_for_status()
            codes += [row["code"] for row in csv.DictReader(io.StringIO(made.text))]
        client.post(f"/api/v1/elections/{election_id}/open").raise_for_status()
    return Seeded(election_id, tuple(codes), admin)


def random_ballot(rng: random.Random) -> tuple[str, ...]:
    """A valid ballot: 1 to 3 distinct projects, sorted (as the store keeps approval ballots)."""
    return tuple(sorted(rng.sample(PROJECTS, rng.randint(1, 3))))


@dataclass(frozen=True, slots=True)
class Ack:
    """A ballot the server acknowledged with 201."""

    code: str
    receipt: str
    selections: tuple[str, ...]


@dataclass(slots=True)
class Record:
    """Everything the residents saw."""

    acks: dict[str, Ack] = field(default_factory=dict)  # the last acknowledged ballot of each code
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    replayed: int = 0
    retry_after_missing: int = 0
    submissions: int = 0
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (finished at, seconds) of answered tries


@dataclass(frozen=True, slots=True)
class Network:
    """How bad the network is: the share of requests whose answer is lost, and the give-up deadline."""

    lossy: float = 0.1
    lost_timeout: float = 0.01
    timeout: float = 30.0
    give_up_after: float = 180.0


class Poster(Protocol):
    """What `submit` needs of a client (`httpx.AsyncClient`, or the soak's lean one); fails with TransportError."""

    async def post(self, url: str, *, json: Any, headers: dict[str, str], timeout: float) -> Any: ...  # noqa: ASYNC109 -- httpx's


async def submit(
    client: Poster, election_id: int, body: dict[str, Any], record: Record, rng: random.Random, net: Network
) -> Any:
    """Send one ballot under one key until the server answers something other than 503 or a 5xx."""
    key = str(uuid.UUID(int=rng.getrandbits(128)))
    url = f"/api/v1/elections/{election_id}/ballots"
    started = time.monotonic()
    tries = 0
    while True:
        tries += 1
        timeout = net.lost_timeout if rng.random() < net.lossy else net.timeout
        sent = time.monotonic()
        try:
            response = await client.post(url, json=body, headers={"Idempotency-Key": key}, timeout=timeout)
        except httpx.TransportError:
            record.transport_errors += 1
        else:
            record.statuses[response.status_code] += 1
            record.latencies.append((time.monotonic(), time.monotonic() - sent))
            if response.status_code == 503 and "retry-after" not in response.headers:
                record.retry_after_missing += 1
            if response.status_code < 500:
                record.replayed += response.headers.get("Idempotent-Replayed") == "true"
                return response
        if time.monotonic() - started > net.give_up_after:
            raise RuntimeError(f"no answer for {body['credential']['value']} after {tries} tries")
        await asyncio.sleep(min(0.05 * 2 ** min(tries, 5), 1.0) * (0.5 + rng.random()))


async def resident_worker(
    client: httpx.AsyncClient,
    election_id: int,
    codes: list[str],
    record: Record,
    stop: asyncio.Event,
    rng: random.Random,
    net: Network,
    revote_share: float = 0.1,
) -> None:
    """Vote with each of `codes` in turn (sometimes again for an earlier one) until done or `stop` is set."""
    mine: list[str] = []
    for code in codes:
        if stop.is_set():
            return
        voter = rng.choice(mine) if mine and rng.random() < revote_share else code
        selections = random_ballot(rng)
        body = {"credential": {"kind": "code", "value": voter}, "selections": list(selections)}
        record.submissions += 1
        response = await submit(client, election_id, body, record, rng, net)
        if response.status_code == 201:
            record.acks[voter] = Ack(voter, response.json()["receipt"], selections)
            mine.append(voter)


async def drive(
    base: str, seeded: Seeded, record: Record, stop: asyncio.Event, *, concurrency: int, seed: int, net: Network
) -> None:
    """`concurrency` residents' phones, each voting with its share of the codes."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        workers = [
            resident_worker(
                client,
                seeded.election_id,
                list(seeded.codes[i::concurrency]),
                record,
                stop,
                random.Random(seed * 1000 + i),
                net,
            )
            for i in range(concurrency)
        ]
        await asyncio.gather(*workers)
