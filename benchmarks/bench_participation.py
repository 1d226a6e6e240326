"""What recording participation costs inside a ballot transaction: one statement for a group, or one per ballot.

The online path's group commit stores many ballots in one transaction; their participation rows can go in one
`record_participation` call (one executemany statement) or in one call per ballot. For groups of 1, 8, 64 and 512
residents, on a fresh SQLite file and a fresh PostgreSQL database (created here, dropped at the end), this times
the rows' insertion inside one transaction (commit included), the median of `--repeat` runs, and prints
milliseconds per group and microseconds per resident.

    .venv/bin/python benchmarks/bench_participation.py [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from ballots.participation import Participation, record_participation
from ballots.store.engine import make_engine, make_sessionmaker
from ballots.store.migrate import upgrade

GROUPS = (1, 8, 64, 512)


def _entries(size: int, run: str) -> list[Participation]:
    return [Participation(1, f"{run}-{n}", "north", "online", "female", "30-44") for n in range(size)]


async def _time(engine: AsyncEngine, size: int, *, batched: bool, repeat: int) -> float:
    sessions = make_sessionmaker(engine)
    times = []
    for _ in range(repeat):
        entries = _entries(size, secrets.token_hex(4))
        start = time.perf_counter()
        async with sessions.begin() as session:
            if batched:
                await record_participation(session, entries)
            else:
                for entry in entries:
                    await record_participation(session, [entry])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def _measure(url: str, repeat: int) -> list[tuple[int, float, float]]:
    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO elections (id, name, status, definition, rule, rule_options, allow_revote, "
                    "created_at) VALUES (1, 'bench', 'open', '{}', 'r', '{}', false, :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        return [
            (
                size,
                await _time(engine, size, batched=True, repeat=repeat),
                await _time(engine, size, batched=False, repeat=repeat),
            )
            for size in GROUPS
        ]
    finally:
        await engine.dispose()


async def _postgres(base: str, repeat: int) -> list[tuple[int, float, float]]:
    name = f"pbvote_bench_{secrets.token_hex(4)}"
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        return await _measure(make_url(base).set(database=name).render_as_string(hide_password=False), repeat)
    finally:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def _print(label: str, rows: list[tuple[int, float, float]]) -> None:
    print(f"{label}: residents per transaction, one statement vs one per resident (ms per group; µs per resident)")
    for size, batched, single in rows:
        print(
            f"  {size:4}: {batched * 1e3:8.2f} ms ({batched / size * 1e6:7.1f} µs)   "
            f"{single * 1e3:8.2f} ms ({single / size * 1e6:7.1f} µs)   x{single / batched:.1f}"
        )


def main() -> None:
    """Measure on SQLite and PostgreSQL and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        _print("SQLite (file, WAL, synchronous FULL)", asyncio.run(_measure(url, args.repeat)))
    _print("PostgreSQL (loopback)", asyncio.run(_postgres(args.pg, args.repeat)))


if __name__ == "__main__":
    main()
