"""The schema as the migrations build it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ballots.store.engine import make_engine
from ballots.store.migrate import downgrade, upgrade

pytestmark = pytest.mark.anyio

TABLES = {
    "alembic_version",
    "audit_log",
    "ballots",
    "elections",
    "idempotency_keys",
    "kiosks",
    "officials",
    "paper_batches",
    "paper_entries",
    "participation",
    "records",
    "staff_tokens",
    "voters",
}


@pytest.fixture(name="engine")
async def fx_engine(db_url):
    engine = make_engine(db_url, null_pool=True)
    yield engine
    await engine.dispose()


async def table_names(engine):
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_downgrade_and_upgrade_again(engine):
    assert await table_names(engine) == TABLES
    await downgrade(engine)
    assert await table_names(engine) <= {"alembic_version"}
    await upgrade(engine)
    assert await table_names(engine) == TABLES


async def add_election(connection):
    now = datetime.now(UTC)
    await connection.execute(
        text(
            "INSERT INTO elections (id, name, status, definition, rule, rule_options, allow_revote, created_at) "
            "VALUES (1, 'e', 'open', '{}', 'r', '{}', false, :now)"
        ),
        {"now": now},
    )


def ballot(ballot_id, link):
    return {"ballot_id": ballot_id, "link": link}


INSERT_BALLOT = text(
    "INSERT INTO ballots (election_id, voter_link, ballot_id, channel, status, selections, points) "
    "VALUES (1, :link, :ballot_id, 'online', 'counted', '[]', '[]')"
)


async def test_one_row_per_voter_link(engine):
    async with engine.begin() as connection:
        await add_election(connection)
        await connection.execute(INSERT_BALLOT, ballot("R-1", "link"))
        # paper ballots have no link; any number of them
        await connection.execute(INSERT_BALLOT, ballot("R-2", None))
        await connection.execute(INSERT_BALLOT, ballot("R-3", None))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(INSERT_BALLOT, ballot("R-4", "link"))


async def test_status_and_channel_are_checked(engine):
    async with engine.begin() as connection:
        await add_election(connection)
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE elections SET status = 'paused'"))


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"])
async def test_audit_log_is_append_only(engine, statement):
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO audit_log (at, role, action, detail) VALUES (:at, 'cli', 'token.create', '{}')"),
            {"at": datetime.now(UTC)},
        )
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT action FROM audit_log"))).scalars().all() == ["token.create"]


async def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO kiosks (election_id, name) VALUES (42, 'nowhere')"))
    finally:
        await engine.dispose()


async def test_sqlite_commits_are_durable(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'full.db'}")
    try:
        async with engine.connect() as connection:
            # 2 = FULL: the WAL is synced at every commit
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar_one() == 2
    finally:
        await engine.dispose()


INSERT_KEY = text(
    "INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body) "
    "VALUES (:election, :key, 'd', 201, '{}')"
)


async def test_an_idempotency_key_is_unique_within_its_election_only(engine):
    async with engine.begin() as connection:
        await add_election(connection)
        await connection.execute(
            text(
                "INSERT INTO elections (id, name, status, definition, rule, rule_options, allow_revote, created_at) "
                "SELECT 2, name, status, definition, rule, rule_options, allow_revote, created_at FROM elections"
            )
        )
        await connection.execute(INSERT_KEY, {"election": 1, "key": "k"})
        await connection.execute(INSERT_KEY, {"election": 2, "key": "k"})
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(INSERT_KEY, {"election": 1, "key": "k"})


async def test_a_batch_finds_its_keys_by_index_search_on_an_unanalyzed_table(engine, db_url):
    # 3,000 keys, no ANALYZE (autovacuum is off on the development server): the lookup a batch makes, planned as
    # asyncpg's prepared statement ends up planned (generic), must search the index on the key, not read every key
    # of the election (what `(election_id, key)` gave: 5.2 ms a batch at 20,000 keys).
    async with engine.begin() as connection:
        await add_election(connection)
        await connection.execute(INSERT_KEY, [{"election": 1, "key": f"key-{n}"} for n in range(3000)])
    async with engine.connect() as connection:
        if db_url.startswith("postgresql"):
            await connection.execute(text("SET plan_cache_mode = force_generic_plan"))
            await connection.execute(
                text(
                    "PREPARE lookup(int, varchar, varchar) AS SELECT * FROM idempotency_keys "
                    "WHERE election_id = $1 AND key IN ($2, $3)"
                )
            )
            plan = "\n".join((await connection.execute(text("EXPLAIN EXECUTE lookup(1, 'a', 'b')"))).scalars())
            assert "Index Cond: (((key)::text = ANY" in plan, plan
            assert "Filter" not in plan, plan
        else:
            rows = await connection.execute(
                text("EXPLAIN QUERY PLAN SELECT * FROM idempotency_keys WHERE election_id = 1 AND key IN ('a', 'b')")
            )
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "USING INDEX" in plan, plan
            assert "key=?" in plan, plan
