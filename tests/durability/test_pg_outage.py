"""PostgreSQL stopped abruptly mid-load (`pg_ctl stop -m immediate`), then started again.

While it is down the API answers 503 with `Retry-After` (ballots and `/healthz`), never a 500; when it returns
the same server process recovers by itself (pool pre-ping, reconnect), and every acknowledged ballot is there.
The cluster is our own throwaway one (initdb in a temporary folder, its own port): the shared server on 5432,
which other tests use, is never stopped. In CI (CI=true) missing PostgreSQL binaries fail the test.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from tests.durability.checks import ballot_problems, integrity_problems
from tests.durability.server import Cluster, Server, admin_execute, admin_token, postgres_bindir
from tests.durability.voters import Network, Record, drive, seed


@pytest.fixture(name="cluster")
def fx_cluster():
    bindir = postgres_bindir()
    if bindir is None:
        message = "no PostgreSQL binaries (initdb, pg_ctl): install postgresql or put pg_config on PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    cluster = Cluster(bindir)
    try:
        cluster.init()
        cluster.start()
        asyncio.run(admin_execute(cluster.url, "CREATE DATABASE pbvote"))
        yield cluster
    finally:
        cluster.destroy()


async def _outage(
    server: Server, cluster: Cluster, down_seconds: float
) -> tuple[Record, list[httpx.Response], list[str]]:
    await asyncio.to_thread(server.start)
    seeded = await asyncio.to_thread(seed, server.base, await admin_token(server.url), 2000)
    record, stop = Record(), asyncio.Event()
    net = Network(lossy=0.05)
    load = asyncio.create_task(drive(server.base, seeded, record, stop, concurrency=8, seed=7, net=net))
    await asyncio.sleep(1.5)
    await asyncio.to_thread(cluster.crash)
    probes = []
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
        for _ in range(3):
            await asyncio.sleep(down_seconds / 3)
            probes.append(await client.get("/healthz"))
        await asyncio.to_thread(cluster.start)
        await asyncio.sleep(2.0)  # voting resumes on the same server process
        stop.set()
        await load
        probes.append(await client.get("/healthz"))
    problems = await ballot_problems(server.url, server.secret, seeded.election_id, record.acks)
    return record, probes, problems


def test_postgres_immediate_shutdown_answers_503_and_recovers(cluster: Cluster, tmp_path: Path):
    url = cluster.url.rsplit("/", 1)[0] + "/pbvote"
    server = Server(url, "outage-secret", tmp_path)
    try:
        record, probes, problems = asyncio.run(_outage(server, cluster, down_seconds=3.0))
        assert server.process is not None
        assert server.process.poll() is None, "the server died with its database"
    finally:
        server.kill()
    problems += asyncio.run(integrity_problems(url))
    assert problems == []
    *down, after = probes
    assert [p.status_code for p in down] == [503, 503, 503]
    assert all(p.headers.get("Retry-After") == "2" for p in down)
    assert after.status_code == 200
    assert server.starts == 1
    assert record.statuses[503] > 0
    assert record.retry_after_missing == 0
    assert [code for code in record.statuses if code >= 500 and code != 503] == [], server.log_tail(200)
    assert len(record.acks) > 20
