"""The batch statements of online ballots (`ballots.store.bulk`) on SQLite and PostgreSQL.

On SQLite they run on the driver's connection, past SQLAlchemy's statement layer: these check that what they read
and write is what the ORM reads and writes, and that their errors are SQLAlchemy's, as the group committer expects.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.store import bulk
from ballots.store.engine import make_engine, make_sessionmaker
from ballots.store.models import BallotRow, ElectionRow, IdempotencyRow, ParticipationRow
from ballots.store.repository import BallotValues
from tests.integration.store.test_schema import add_election

pytestmark = pytest.mark.anyio


@pytest.fixture(name="sessions")
async def fx_sessions(db_url):
    engine = make_engine(db_url, null_pool=True)
    async with engine.begin() as connection:
        await add_election(connection)
        await connection.execute(
            text(
                "INSERT INTO voters (id, election_id, kind, credential_hash, district, birth_year) VALUES "
                "(7, 1, 'code', 'h-seven', NULL, NULL), (8, 1, 'census', 'h-eight', 'north', 1970)"
            )
        )
    yield make_sessionmaker(engine)
    await engine.dispose()


def online(link: str, ballot_id: str, selections: str = '["a"]', district: str | None = None) -> BallotValues:
    return BallotValues(1, link, ballot_id, "online", "counted", district, selections, "[]")


def participant(link: str, key: str) -> tuple[str, dict[str, str | int | None]]:
    row: dict[str, str | int | None] = {"election_id": 1, "voter_key": key, "district": None, "channel": "online"}
    return link, row | {"gender": "female", "age_group": "30-44"}


async def test_the_election_and_voters_read_as_the_orm_reads_them(sessions):
    async with sessions.begin() as session:
        found = await bulk.election_and_voters(session, 1, ["h-eight", "h-seven", "h-unknown", "h-seven"])
        orm = await session.get(ElectionRow, 1)
    assert found is not None
    row, voters = found
    assert orm is not None
    for column in ("id", "name", "status", "rule", "allow_revote", "min_age", "election_hash", "created_at"):
        assert getattr(row, column) == getattr(orm, column), column
        assert type(getattr(row, column)) is type(getattr(orm, column)), column
    assert row.allow_revote is False
    assert voters == {
        "h-seven": bulk.Voter(7, "code", None, None),
        "h-eight": bulk.Voter(8, "census", "north", 1970),
    }
    async with sessions.begin() as session:
        assert await bulk.election_and_voters(session, 2, ["h-seven"]) is None  # no such election
        nobody = await bulk.election_and_voters(session, 1, [])
    assert nobody is not None
    assert nobody[1] == {}


async def test_a_batch_stores_its_ballots_keys_and_participation(sessions):
    async with sessions.begin() as session:
        stored = await bulk.insert_online_ballots(
            session,
            1,
            [online("L1", "B1", '["a","b"]', "north"), online("L2", "B2")],
            keys=[("L1", "k1", "d1", '{"receipt":"r1"}'), ("L2", "k2", "d2", '{"receipt":"r2"}')],
            participants=[participant("L1", "p1"), participant("L2", "p2")],
            replace=False,
        )
    assert stored == {"L1", "L2"}
    async with sessions.begin() as session:
        ballots = (await session.execute(select(BallotRow).order_by(BallotRow.ballot_id))).scalars().all()
        keys = (await session.execute(select(IdempotencyRow).order_by(IdempotencyRow.key))).scalars().all()
        people = (await session.execute(select(ParticipationRow).order_by(ParticipationRow.voter_key))).scalars()
        people = people.all()
    got = [(b.voter_link, b.ballot_id, b.channel, b.status, b.district, b.selections, b.points) for b in ballots]
    assert got == [
        ("L1", "B1", "online", "counted", "north", '["a","b"]', "[]"),
        ("L2", "B2", "online", "counted", None, '["a"]', "[]"),
    ]
    assert [(k.key, k.request_digest, k.status_code, k.body) for k in keys] == [
        ("k1", "d1", 201, '{"receipt":"r1"}'),
        ("k2", "d2", 201, '{"receipt":"r2"}'),
    ]
    assert [(p.voter_key, p.channel, p.gender, p.age_group, p.district) for p in people] == [
        ("p1", "online", "female", "30-44", None),
        ("p2", "online", "female", "30-44", None),
    ]


async def test_a_voter_with_a_row_keeps_it_unless_a_revote_replaces_a_counted_online_ballot(sessions):
    async with sessions.begin() as session:
        await bulk.insert_online_ballots(
            session, 1, [online("L1", "B1"), online("L2", "B2")], keys=[], participants=[], replace=False
        )
        await session.execute(text("UPDATE ballots SET channel = 'kiosk' WHERE voter_link = 'L2'"))
    async with sessions.begin() as session:  # without re-voting: both rows stand, no key claimed for them
        kept = await bulk.insert_online_ballots(
            session,
            1,
            [online("L1", "B3", '["b"]'), online("L3", "B4")],
            keys=[("L1", "k1", "d", "{}"), ("L3", "k3", "d", "{}")],
            participants=[participant("L1", "p1"), participant("L3", "p3")],
            replace=False,
        )
    assert kept == {"L3"}
    async with sessions.begin() as session:  # re-voting: L1's online ballot replaced, L2's kiosk ballot stands
        replaced = await bulk.insert_online_ballots(
            session, 1, [online("L1", "B5", '["c"]'), online("L2", "B6")], keys=[], participants=[], replace=True
        )
    assert replaced == {"L1"}
    async with sessions.begin() as session:
        rows = (await session.execute(select(BallotRow.voter_link, BallotRow.ballot_id, BallotRow.selections))).all()
        keys = (await session.execute(select(IdempotencyRow.key))).scalars().all()
        people = (await session.execute(select(ParticipationRow.voter_key))).scalars().all()
    assert sorted(rows) == [("L1", "B5", '["c"]'), ("L2", "B2", '["a"]'), ("L3", "B4", '["a"]')]
    assert keys == ["k3"]
    assert people == ["p3"]


async def test_a_key_claimed_before_fails_the_statement_as_sqlalchemy_reports_it_and_nothing_stays(sessions):
    async with sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body) "
                "VALUES (1, 'taken', 'd', 201, '{}')"
            )
        )
    with pytest.raises(IntegrityError):  # the group committer then runs each submission alone
        async with sessions.begin() as session:
            await bulk.insert_online_ballots(
                session,
                1,
                [online("L1", "B1"), online("L2", "B2")],
                keys=[("L1", "free", "d", "{}"), ("L2", "taken", "d", "{}")],
                participants=[participant("L1", "p1"), participant("L2", "p2")],
                replace=False,
            )
    async with sessions.begin() as session:
        assert (await session.execute(select(BallotRow.id))).all() == []
        assert (await session.execute(select(IdempotencyRow.key))).scalars().all() == ["taken"]
        assert (await session.execute(select(ParticipationRow.voter_key))).all() == []


async def in_transaction(session: AsyncSession) -> bool:
    raw = await (await session.connection()).get_raw_connection()
    return bool(raw.driver_connection.in_transaction)


def write_lock_is_free(path: Path) -> bool:
    """Whether another connection could start writing now (SQLite's one writer)."""
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


@pytest.fixture(name="sqlite_sessions")
async def fx_sqlite_sessions(sqlite_template: Path, tmp_path: Path):
    path = tmp_path / "pbvote.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as connection:
        await add_election(connection)
    yield path, make_sessionmaker(engine)
    await engine.dispose()


async def test_sqlite_transactions_take_the_write_lock_with_their_first_statement(sqlite_sessions):
    path, sessions = sqlite_sessions
    async with sessions.begin() as session:  # the first statement on the driver: BEGIN IMMEDIATE goes with it
        assert await bulk.election_and_voters(session, 1, []) is not None
        assert await in_transaction(session)
        assert not write_lock_is_free(path)
    assert write_lock_is_free(path)
    async with sessions.begin() as session:  # the first statement through SQLAlchemy: BEGIN IMMEDIATE before it
        await session.execute(select(ElectionRow.id))
        assert await in_transaction(session)
        assert not write_lock_is_free(path)
    async with sessions.begin():  # no statement at all: nothing to begin, nothing held
        pass
    assert write_lock_is_free(path)
    async with sessions.begin() as session:  # and the next transaction begins as any
        await bulk.insert_online_ballots(session, 1, [online("L1", "B1")], keys=[], participants=[], replace=False)
        assert not write_lock_is_free(path)
        await session.rollback()
    async with sessions.begin() as session:
        assert (await session.execute(select(BallotRow.id))).all() == []


async def test_the_answers_under_idempotency_keys_read_as_the_orm_reads_them(sessions, db_url):
    async with sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body) VALUES "
                "(1, 'k1', 'd1', 201, '{\"receipt\":\"r1\"}'), (1, 'k2', 'd2', 422, '{}')"
            )
        )
    async with sessions.begin() as session:
        found = await bulk.find_idempotents(session, 1, ["k2", "k1", "k-unknown", "k1"])
        orm = {row.key: row for row in (await session.execute(select(IdempotencyRow))).scalars()}
        assert await bulk.find_idempotents(session, 2, ["k1"]) == {}  # keys belong to their election
    assert sorted(found) == ["k1", "k2"]
    for key, row in found.items():
        for column in ("id", "election_id", "key", "request_digest", "status_code", "body"):
            assert getattr(row, column) == getattr(orm[key], column), (key, column)
    if db_url.startswith("sqlite"):  # the driver's statement searches the key's index too
        async with sessions.begin() as session:
            plan = await session.execute(
                text(f"EXPLAIN QUERY PLAN {bulk._SQLITE_IDEMPOTENTS}"), {"election_id": 1, "keys": '["k1"]'}
            )
            details = "\n".join(str(row[-1]) for row in plan)
        assert "USING INDEX" in details, details
        assert "key=?" in details, details
