"""A crash run: residents vote while the server is SIGKILLed at seeded random moments and restarted.

Shared by the short test (`tests/durability/test_crash.py`) and the long run (`benchmarks/soak_crash.py`).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import httpx

from tests.durability.checks import ballot_problems, expected_allocation, integrity_problems
from tests.durability.server import Server, admin_token
from tests.durability.voters import Network, Record, Seeded, drive, seed


@dataclass(frozen=True, slots=True)
class CrashPlan:
    """How hard to push: kills, the seeded pauses between them, residents at once, codes on the roll."""

    kills: int = 3
    seed: int = 2026
    concurrency: int = 16
    voters: int = 4000
    min_gap: float = 0.5
    max_gap: float = 2.0


@dataclass(frozen=True, slots=True)
class CrashReport:
    """What happened and what is wrong (`problems` is empty when every guarantee held)."""

    kills: int
    record: Record
    problems: list[str]


async def _kill_loop(server: Server, plan: CrashPlan, stop: asyncio.Event) -> int:
    rng = random.Random(plan.seed)
    kills = 0
    for _ in range(plan.kills):
        await asyncio.sleep(rng.uniform(plan.min_gap, plan.max_gap))
        server.kill()
        kills += 1
        await asyncio.sleep(rng.uniform(0.0, 0.5))
        await asyncio.to_thread(server.start)
    # a last stretch of voting on the restarted server, then the residents finish what they have in hand
    await asyncio.sleep(rng.uniform(plan.min_gap, plan.max_gap))
    stop.set()
    return kills


async def crash_run(server: Server, plan: CrashPlan, net: Network | None = None) -> CrashReport:
    """Seed, vote through `plan.kills` SIGKILLs, then check every guarantee and the tally."""
    await asyncio.to_thread(server.start)
    token = await admin_token(server.url)
    seeded: Seeded = await asyncio.to_thread(seed, server.base, token, plan.voters)
    record, stop = Record(), asyncio.Event()
    load = asyncio.create_task(
        drive(server.base, seeded, record, stop, concurrency=plan.concurrency, seed=plan.seed, net=net or Network())
    )
    kills = await _kill_loop(server, plan, stop)
    await load
    problems = await ballot_problems(server.url, server.secret, seeded.election_id, record.acks)
    problems += await asyncio.to_thread(_tally_problems, server, seeded, record)
    server.kill()  # a last crash, after the tally: the integrity checks read the database as the kill left it
    problems += await integrity_problems(server.url)
    return CrashReport(kills, record, problems)


def _tally_problems(server: Server, seeded: Seeded, record: Record) -> list[str]:
    base = f"/api/v1/elections/{seeded.election_id}"
    with httpx.Client(base_url=server.base, headers=seeded.admin, timeout=120) as client:
        client.post(f"{base}/close").raise_for_status()
        tallied = client.post(f"{base}/tally")
        tallied.raise_for_status()
    result = tallied.json()
    expected = expected_allocation(record.acks)
    problems = []
    if result["ballots"] != len(record.acks):
        problems.append(f"the tally counted {result['ballots']} ballots, {len(record.acks)} were acknowledged")
    if result["allocation"] != expected:
        problems.append(f"tally {result['allocation']} differs from the acknowledged ballots' {expected}")
    return problems
