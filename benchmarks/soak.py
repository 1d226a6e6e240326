"""A bounded soak of `pbvote serve` on PostgreSQL over loopback: a steady ballot rate, then a full count check.

Run: `make soak` (10 minutes) or `PYTHONPATH=. .venv/bin/python benchmarks/soak.py --seconds 60 [--rate 500]`.
The server runs as a real process on a throwaway PostgreSQL cluster of its own (initdb in a temporary folder,
its own port; `--db URL` points it at an existing server instead, in a scratch database created and dropped).
Requests leave on a fixed schedule (open loop: a slow server does not slow the schedule down), 5% are re-votes
by residents whose ballot was acknowledged, 1% deliberately invalid ballots (an unknown project) that must get
422. Every request carries an `Idempotency-Key` and is resent under it after a connection error or a 503.
At most `--connections` requests are in flight; a ballot due while all are busy is
not sent and counted as "behind" (the server could not keep up). Every `--every` seconds a row: ballots sent,
behind, answered, acknowledged, throughput, p50/p99 latency, errors, and
the server's resident memory. At the end, every acknowledged ballot must be stored once under its receipt and
nothing unacknowledged counted (the same check as the crash tests); the exit code is 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvloop

from benchmarks._lean_http import LeanClient
from tests.durability.checks import ballot_problems
from tests.durability.server import (
    Cluster,
    Server,
    admin_execute,
    admin_token,
    postgres_bindir,
    scratch_database,
)
from tests.durability.voters import Ack, Network, Record, Seeded, random_ballot, seed, submit


@dataclass(slots=True)
class Window:
    """One reporting interval's figures."""

    sent: int = 0
    behind: int = 0
    answered: int = 0
    acked: int = 0
    refused_as_expected: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass(slots=True)
class Soak:
    """The load's state: acknowledged ballots, codes free to vote, codes acknowledged (for re-votes)."""

    seeded: Seeded
    rng: random.Random
    acks: dict[str, Ack] = field(default_factory=dict)
    fresh: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    busy: set[str] = field(default_factory=set)
    window: Window = field(default_factory=Window)
    total: Window = field(default_factory=Window)
    unexpected: list[str] = field(default_factory=list)
    retried: Counter[str] = field(default_factory=Counter)  # why a request was resent: "transport" or a 5xx status


async def one_ballot(client: LeanClient, soak: Soak, kind: str) -> None:
    """Send one ballot (fresh, re-vote or invalid) and account for its answer."""
    rng = soak.rng
    if kind == "revote" and soak.done:
        code = soak.done.pop(rng.randrange(len(soak.done)))
    elif soak.fresh:
        code = soak.fresh.pop()
    else:
        return
    soak.busy.add(code)
    selections = (*random_ballot(rng), "zz") if kind == "invalid" else random_ballot(rng)
    body = {"credential": {"kind": "code", "value": code}, "selections": list(selections)}
    record = Record()
    soak.window.sent += 1
    started = time.monotonic()
    try:
        response = await submit(client, soak.seeded.election_id, body, record, rng, Network(lossy=0.0, timeout=60))
    except RuntimeError as exc:
        soak.window.errors += 1
        soak.unexpected.append(str(exc))
        return
    finally:
        soak.busy.discard(code)
    soak.window.latencies.append(time.monotonic() - started)
    soak.window.answered += 1
    soak.window.errors += record.transport_errors + sum(n for s, n in record.statuses.items() if s >= 500)
    soak.retried["transport"] += record.transport_errors
    soak.retried.update({str(s): n for s, n in record.statuses.items() if s >= 500})
    if kind == "invalid":
        ok = response.status_code == 422
        soak.window.refused_as_expected += ok
        soak.fresh.append(code)  # the resident can still vote properly
    else:
        ok = response.status_code == 201
        if ok:
            soak.acks[code] = Ack(code, response.json()["receipt"], tuple(sorted(selections)))
            soak.window.acked += 1
        soak.done.append(code)
    if not ok:
        soak.window.errors += 1
        soak.unexpected.append(f"{kind} ballot answered {response.status_code}: {response.text[:200]}")


def _row(soak: Soak, server: Server, elapsed: float, seconds: float) -> str:
    w = soak.window
    lat = sorted(w.latencies) or [0.0]
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    line = (f"{elapsed:7.0f} {w.sent:7d} {w.behind:7d} {w.answered:8d} {w.acked:7d} {w.answered / seconds:9.1f} "
            f"{p50:8.1f} {p99:8.1f} {w.errors:6d} {server.rss_mib():8.1f}")  # fmt: skip
    for name in ("sent", "behind", "answered", "acked", "refused_as_expected", "errors"):
        setattr(soak.total, name, getattr(soak.total, name) + getattr(w, name))
    soak.total.latencies += w.latencies
    soak.window = Window()
    return line


async def run_load(server: Server, soak: Soak, *, rate: float, seconds: float, every: float, cap: int) -> None:
    """Send `rate` ballots a second for `seconds`, printing a row every `every` seconds."""
    print("   time    sent  behind answered   acked  answ./s  p50(ms)  p99(ms) errors  RSS(MiB)")
    # one keep-alive connection per request in flight (`benchmarks._lean_http`: httpx took over half a core from
    # the server at 500 requests/s, and its shared pool looks over all its connections for each request)
    tasks: set[asyncio.Task[None]] = set()
    async with contextlib.AsyncExitStack() as stack:
        free = [LeanClient(server.base) for _ in range(cap)]
        for client in free:
            stack.push_async_callback(client.aclose)
        start = time.monotonic()
        sent, next_row = 0, every
        while (elapsed := time.monotonic() - start) < seconds:
            due = max(int(elapsed * rate) - sent, 0)
            room = min(due, len(free))
            soak.window.behind += due - room  # the schedule moves on: the server is behind, not the clock
            for _ in range(room):
                draw = soak.rng.random()
                kind = "invalid" if draw < 0.01 else "revote" if draw < 0.06 else "fresh"
                client = free.pop()
                task = asyncio.create_task(one_ballot(client, soak, kind))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                task.add_done_callback(lambda _, client=client: free.append(client))
            sent += due
            if elapsed >= next_row:
                print(_row(soak, server, elapsed, every), flush=True)
                next_row += every
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        print(_row(soak, server, time.monotonic() - start, max(time.monotonic() - start - next_row + every, 1e-3)))


@contextlib.contextmanager
def database(url: str | None) -> Iterator[str]:
    """A scratch database on `url`'s server, or on a throwaway cluster of our own when `url` is None."""
    if url is not None:
        with scratch_database(url) as scratch:
            yield scratch
        return
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL binaries (initdb, pg_ctl); pass --db URL of a running server")
    cluster = Cluster(bindir)
    try:
        cluster.init()
        cluster.start()
        asyncio.run(admin_execute(cluster.url, "CREATE DATABASE soak"))
        yield cluster.url.rsplit("/", 1)[0] + "/soak"
    finally:
        cluster.destroy()


def report(soak: Soak, problems: list[str], seconds: float) -> int:
    """The totals, the stored-ballots check, and the exit code."""
    t = soak.total
    lat = sorted(t.latencies) or [0.0]
    print(f"\nsent {t.sent} (behind schedule, not sent: {t.behind}), answered {t.answered} "
          f"({t.answered / seconds:.1f}/s), acknowledged {t.acked}, "
          f"invalid refused as expected {t.refused_as_expected}, errors {t.errors}")  # fmt: skip
    print(f"latency p50 {statistics.median(lat) * 1000:.1f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.1f} ms, "
          f"max {lat[-1] * 1000:.1f} ms")  # fmt: skip
    print(f"resent after: {dict(+soak.retried) or 'nothing'} (errors = these + unexpected answers)")
    for line in soak.unexpected[:10]:
        print(f"  unexpected: {line}")
    print(f"stored ballots: {len(soak.acks)} residents acknowledged; lost or doubled: {len(problems)}")
    for line in problems[:10]:
        print(f"  {line}")
    return 1 if problems or soak.unexpected else 0


async def soak_run(url: str, args: argparse.Namespace) -> int:
    """Seed, load, check."""
    secret = secrets.token_hex(16)
    workdir = Path(tempfile.mkdtemp(prefix="pbvote-soak-"))
    server = Server(url, secret, workdir)
    await asyncio.to_thread(server.start)
    try:
        voters = int(args.rate * args.seconds * 0.96) + 1000
        started = time.monotonic()
        seeded = await asyncio.to_thread(seed, server.base, await admin_token(url), voters)
        print(f"seeded {voters} codes in {time.monotonic() - started:.0f} s; "
              f"{args.rate:.0f} ballots/s for {args.seconds:.0f} s (5% re-votes, 1% invalid)")  # fmt: skip
        soak = Soak(seeded, random.Random(args.seed), fresh=list(reversed(seeded.codes)))
        await run_load(server, soak, rate=args.rate, seconds=args.seconds, every=args.every, cap=args.connections)
        problems = await ballot_problems(url, secret, seeded.election_id, soak.acks)
        return report(soak, problems, args.seconds)
    finally:
        server.stop()


def main() -> int:
    """Parse the options and run the soak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to load (default 600)")
    parser.add_argument("--rate", type=float, default=500.0, help="ballots sent per second (default 500)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between report rows (default 10)")
    parser.add_argument("--connections", type=int, default=128, help="most requests in flight (default 128)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=os.environ.get("PBVOTE_SOAK_DATABASE_URL"), help="an existing server's URL")
    args = parser.parse_args()
    with database(args.db) as url:
        # the load generator shares the machine with the server: uvloop spends less of it on each request
        return uvloop.run(soak_run(url, args))


if __name__ == "__main__":
    sys.exit(main())
