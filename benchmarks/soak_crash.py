"""The long crash run: many SIGKILLs of `pbvote serve` under load, on SQLite and on PostgreSQL.

Run: `make soak-crash` or `PYTHONPATH=. .venv/bin/python benchmarks/soak_crash.py [--kills 20] [--backend sqlite]`.
The same harness and checks as `tests/durability/test_crash.py` (every acknowledged ballot stored once under its
receipt, nothing unacknowledged counted, integrity checks, tally of the acknowledged ballots), with more kills,
more residents at once and a longer stretch between kills. PostgreSQL runs in a scratch database on
`PBVOTE_TEST_DATABASE_URL` (default the local server on 5432), created and dropped here. Exit code 1 on any problem.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.durability.crash import CrashPlan, CrashReport, crash_run
from tests.durability.server import DEFAULT_PG, Server, scratch_database


def _print(backend: str, report: CrashReport, seconds: float) -> None:
    record = report.record
    print(
        f"{backend}: {report.kills} kills in {seconds:.0f} s; {record.submissions} ballots sent, "
        f"{len(record.acks)} residents acknowledged, {record.replayed} answers replayed under their key, "
        f"{record.transport_errors} connection errors retried, statuses {dict(sorted(record.statuses.items()))}; "
        f"problems: {len(report.problems)}"
    )
    for problem in report.problems[:20]:
        print(f"  {problem}")


def run(backend: str, plan: CrashPlan) -> CrashReport:
    """One long crash run on `backend`."""
    secret = os.urandom(16).hex()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if backend == "sqlite":
            server = Server(f"sqlite+aiosqlite:///{workdir / 'pbvote.db'}", secret, workdir)
            try:
                return asyncio.run(crash_run(server, plan))
            finally:
                server.kill()
        with scratch_database(os.environ.get("PBVOTE_TEST_DATABASE_URL", DEFAULT_PG)) as url:
            server = Server(url, secret, workdir)
            try:
                return asyncio.run(crash_run(server, plan))
            finally:
                server.kill()


def main() -> int:
    """Parse the options and run on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--voters", type=int, default=50_000)
    parser.add_argument("--min-gap", type=float, default=1.0, help="least seconds of load between kills")
    parser.add_argument("--max-gap", type=float, default=8.0, help="most seconds of load between kills")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    plan = CrashPlan(args.kills, args.seed, args.concurrency, args.voters, args.min_gap, args.max_gap)
    failed = False
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        started = time.monotonic()
        report = run(backend, plan)
        _print(backend, report, time.monotonic() - started)
        failed |= bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
