"""SIGKILL the server mid-load, on SQLite and on PostgreSQL: nothing acknowledged is lost or doubled.

A short, bounded run (two kills, seeded, plus one after the tally); `benchmarks/soak_crash.py` runs the same for longer.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest

from tests.durability.crash import CrashPlan, crash_run
from tests.durability.server import DEFAULT_PG, Server, scratch_database

PLAN = CrashPlan(kills=2, seed=20261122, concurrency=12, voters=3000, min_gap=0.8, max_gap=2.0)


def _check(report, plan):
    assert report.problems == []
    assert report.kills == plan.kills
    # the run really exercised retries: refused connections while down, replays of lost answers
    assert report.record.transport_errors > 0
    assert report.record.replayed > 0
    assert len(report.record.acks) > 50
    assert report.record.statuses[500] == 0


def test_sigkill_on_sqlite_loses_nothing(tmp_path: Path):
    server = Server(f"sqlite+aiosqlite:///{tmp_path / 'pbvote.db'}", "durability-secret", tmp_path)
    try:
        report = asyncio.run(crash_run(server, PLAN))
    finally:
        server.kill()
    _check(report, PLAN)


def test_sigkill_on_postgresql_loses_nothing():
    base = os.environ.get("PBVOTE_TEST_DATABASE_URL", DEFAULT_PG)
    with tempfile.TemporaryDirectory() as workdir, scratch_database(base) as url:
        server = Server(url, "durability-secret", Path(workdir))
        try:
            report = asyncio.run(crash_run(server, PLAN))
        finally:
            server.kill()
    _check(report, PLAN)


@pytest.fixture(autouse=True)
def fx_no_pbvote_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("PBVOTE_") and n != "PBVOTE_TEST_DATABASE_URL"]:
        monkeypatch.delenv(name)
