"""Load benchmark of the online ballot path, on loopback: `pbvote serve` against a bare endpoint, in one run.

Each server runs alone, in its own process, on 127.0.0.1, while wrk (`apt-get install wrk`) posts valid ballots, each
with a voting code never used before, over `--connections` connections for `--duration` seconds (after a short
warm-up), at most `--codes` ballots in all:

1. `bare`: a Litestar endpoint doing one asyncpg INSERT per request (`benchmarks/api/bare_endpoint.py`): the ceiling;
2. `pbvote-postgresql`: `pbvote serve` on a fresh PostgreSQL database (created here and dropped at the end);
3. `pbvote-sqlite`: `pbvote serve` on its default, an SQLite file (in a temporary folder);
4. `bare` again, so the ceiling brackets the pbvote runs (the machine is shared and noisy).

pbvote's servers get an open election and enough voting codes, made through the API. After each run the stored
rows are counted: they may exceed the 201 answers wrk saw only by the requests in flight when it stopped (at most
the connections, twice: warm-up and measure). It prints requests/s, p50/p99 latency, errors, and pbvote's rate
over the bare one (the mean of its two runs), and writes the figures as JSON under benchmarks/results/<machine>/.

    make bench-api            # = .venv/bin/python benchmarks/bench_api.py
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ELECTION: dict[str, Any] = {
    "budget": 100,
    "currency": "EUR",
    "rule": None,
    "districts": {},
    "meta": {},
    "ballot_rules": {"vote_type": "approval", "max_length": 3, "max_cost_per_category": {"parks": 60}},
    "projects": [
        {"id": p, "cost": c, "name": f"Project {p}", "category": [k], "district": None, "extra": {}}
        for p, c, k in (("a", 40, "parks"), ("b", 30, "parks"), ("c", 50, "roads"), ("d", 20, "roads"))
    ],
}
TARGET_RATIO = 0.75
TARGET_P99_MS = 100.0


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of measured load per server")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--codes", type=int, default=90_000, help="voting codes per server: the most ballots posted")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="PostgreSQL server")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument(
        "--idempotency-keys", action="store_true", help="each ballot with an Idempotency-Key, as the pages send"
    )
    parser.add_argument("--out", type=Path, default=None, help="results JSON (default benchmarks/results/<machine>)")
    return parser.parse_args()


async def _pg(dsn: str, sql: str) -> Any:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def _with_database(dsn: str, name: str) -> str:
    return dsn.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def serving(command: list[str], port: int, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run a server until the block ends; yields its base URL once `/healthz` answers."""
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server {command} did not start (exit code {process.poll()})")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(args: argparse.Namespace, url: str, path: str, codes: Path, seconds: int) -> dict[str, Any]:
    """One wrk run; its figures (see `benchmarks/api/ballots.lua`)."""
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(HERE / "api" / "ballots.lua"), url, "--", str(codes), path, str(args.threads),
        *(["keys"] if args.idempotency_keys else []),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    return figures


def measure(args: argparse.Namespace, base: str, path: str, codes: list[str], work: Path) -> dict[str, Any]:
    """Warm up, then measure; the codes are split so no code is posted twice."""
    warm_file, main_file = work / "warm.txt", work / "main.txt"
    split = len(codes) // 6
    warm_file.write_text("\n".join(codes[:split]) + "\n", encoding="utf-8")
    main_file.write_text("\n".join(codes[split:]) + "\n", encoding="utf-8")
    warm = wrk(args, base, path, warm_file, args.warmup)
    run = wrk(args, base, path, main_file, args.duration)
    errors = sum(v for k, v in run.items() if k.startswith("errors_"))
    seconds = run["duration_us"] / 1e6
    return {
        "requests": run["requests"],
        "seconds": round(seconds, 3),
        "ok_per_s": round((run["requests"] - run["errors_status"]) / seconds, 1),
        "p50_ms": run["p50_us"] / 1000,
        "p90_ms": run["p90_us"] / 1000,
        "p99_ms": run["p99_us"] / 1000,
        "max_ms": run["max_us"] / 1000,
        "errors": errors,
        "wrk": run,
        "posted_ok": warm["requests"] - warm["errors_status"] + run["requests"] - run["errors_status"],
    }


def run_bare(args: argparse.Namespace, dsn: str, work: Path) -> dict[str, Any]:
    """The ceiling: one asyncpg INSERT per request."""
    command = [sys.executable, str(HERE / "api" / "bare_endpoint.py"), "--dsn", dsn, "--port", str(args.port)]
    codes = [secrets.token_hex(6) for _ in range(args.codes)]
    with serving(command, args.port, work, {}) as base:
        asyncio.run(_pg(dsn, "TRUNCATE bare_ballots"))
        result = measure(args, base, "/api/v1/elections/1/ballots", codes, work)
    result["stored"] = asyncio.run(_pg(dsn, "SELECT count(*) FROM bare_ballots"))
    return _check_stored(args, result, result["stored"])


def _check_stored(args: argparse.Namespace, result: dict[str, Any], stored: int) -> dict[str, Any]:
    in_flight = stored - result["posted_ok"]
    if not 0 <= in_flight <= 2 * args.connections:
        raise RuntimeError(f"{stored} rows stored for {result['posted_ok']} answers 201: a ballot lost or extra")
    result["stored_in_flight"] = in_flight
    return result


def _seed(base: str, token: str, count: int) -> tuple[int, list[str]]:
    admin = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=admin, timeout=120) as client:
        body = {"name": "Load test", "definition": ELECTION, "rule": "greedy"}
        created = client.post("/api/v1/elections", json=body)
        created.raise_for_status()
        election_id: int = created.json()["id"]
        made = client.post(f"/api/v1/elections/{election_id}/roll/codes", json={"count": count, "district": None})
        made.raise_for_status()
        codes = [line.split(",")[2] for line in made.text.splitlines()[1:] if line]
        client.post(f"/api/v1/elections/{election_id}/open").raise_for_status()
    return election_id, codes


def run_pbvote(args: argparse.Namespace, url: str, work: Path) -> dict[str, Any]:
    """`pbvote serve` on `url`, seeded with an open election and `args.codes` voting codes."""
    env = {"PBVOTE_SECRET": secrets.token_hex(32)}
    pbvote = str(BIN / "pbvote")
    token = subprocess.run(
        [pbvote, "token", "create", "--role", "admin", "--db", url],
        check=True, capture_output=True, text=True, cwd=work, env={**os.environ, **env},
    ).stdout.strip()  # fmt: skip
    command = [pbvote, "serve", "--db", url, "--port", str(args.port)]
    with serving(command, args.port, work, env) as base:
        election_id, codes = _seed(base, token, args.codes)
        result = measure(args, base, f"/api/v1/elections/{election_id}/ballots", codes, work)
        turnout = httpx.get(f"{base}/api/v1/elections/{election_id}/turnout", timeout=30).json()
    result["stored"] = turnout
    return _check_stored(args, result, turnout["total"])


def report(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Print the table and the ratios; returns the summary."""
    bare = (results["bare"]["ok_per_s"] + results["bare-again"]["ok_per_s"]) / 2
    print(f"{'server':<20}{'ok req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}")
    summary: dict[str, Any] = {"bare_mean_per_s": round(bare, 1)}
    for name, result in results.items():
        ratio = result["ok_per_s"] / bare
        print(
            f"{name:<20}{result['ok_per_s']:>10.0f}{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}"
            f"{result['errors']:>8}{ratio:>9.2f}"
        )
        if name.startswith("pbvote"):
            met = ratio >= TARGET_RATIO and result["p99_ms"] < TARGET_P99_MS
            summary[name] = {"ratio": round(ratio, 3), "p99_ms": result["p99_ms"], "target_met": met}
    print(f"target: >= {TARGET_RATIO} x bare with p99 < {TARGET_P99_MS:.0f} ms: {summary}")
    return summary


def main() -> int:
    """Run the four servers in turn and record the figures."""
    args = parse_args()
    if shutil.which("wrk") is None:
        print("bench_api needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    name = f"pbvote_bench_{secrets.token_hex(4)}"
    asyncio.run(_pg(args.pg, f'CREATE DATABASE "{name}"'))
    dsn = _with_database(args.pg, name)
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="pbvote-bench-") as folder:
            work = Path(folder)
            results["bare"] = run_bare(args, dsn, work)
            pg_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
            results["pbvote-postgresql"] = run_pbvote(args, pg_url, work)
            results["pbvote-sqlite"] = run_pbvote(args, f"sqlite+aiosqlite:///{work / 'pbvote.db'}", work)
            results["bare-again"] = run_bare(args, dsn, work)
    finally:
        asyncio.run(_pg(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    summary = report(results)
    machine = f"{platform.node()}-{os.cpu_count()}cpu"
    out = args.out or HERE / "results" / machine / "api.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    record = {"machine": machine, "python": platform.python_version(), "settings": settings}
    record |= {"summary": summary, "results": results, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
