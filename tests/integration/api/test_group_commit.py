"""Group commit: ballots submitted together share one commit, and a failing one never harms the others.

The oracle for "the answer it would have got alone" is the same submissions made one after the other (each then
commits alone), on a second election of the same database.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from ballots.intake.common import BallotInput, Credential
from ballots.intake.online import submit_online
from ballots.store import bulk
from ballots.store import repository as repo
from ballots.store.group_commit import GroupCommit
from ballots.store.models import AuditEntry
from tests.integration.api.helpers import create_election, make_codes, open_election

pytestmark = pytest.mark.anyio


def count_commits(intake) -> list[int]:
    """A one-element list holding the number of commits made through the intake's engine from now on."""
    commits = [0]
    engine = intake.sessions.kw["bind"]

    def on_commit(_connection) -> None:
        commits[0] += 1

    event.listen(engine.sync_engine, "commit", on_commit)
    return commits


def submissions(codes: list[str]) -> list[tuple[Credential, BallotInput]]:
    """Riverside (at most 3 projects, at most 60 on parks: a=40 and b=30 are parks) with every kind of failure."""
    code = Credential("code", codes[0])
    return [
        (code, BallotInput(("a",))),  # accepted
        (Credential("code", codes[1]), BallotInput(("a", "b"))),  # 70 on parks > 60: 422
        (code, BallotInput(("d",))),  # the same resident again, re-voting off: 409
        (Credential("code", "no-such-code"), BallotInput(("c",))),  # not on the roll
        (Credential("code", codes[2]), BallotInput(("c",))),  # accepted
        (Credential("code", codes[3]), BallotInput(("zz",))),  # unknown project: 422
        (Credential("code", codes[4]), BallotInput(("b", "d"))),  # accepted
    ]


def outcome(result: object) -> tuple[str, object]:
    """What a caller sees: the answer's status and content (the receipt is random), or the error and its message."""
    if isinstance(result, BaseException):
        return type(result).__name__, re.sub(r"election \d+", "election N", str(result))
    body = dict(result.body)  # type: ignore[attr-defined]
    del body["receipt"], body["election_id"]
    return "answer", (result.status_code, body)  # type: ignore[attr-defined]


async def stored(intake, election_id: int) -> list[str]:
    async with intake.sessions.begin() as session:
        return [row.selections for row in await repo.counted_ballots(session, election_id)]


async def election_with_codes(client, admin) -> tuple[int, list[str]]:
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 5)
    await open_election(client, admin, election_id)
    return election_id, codes


async def test_a_batch_gives_each_ballot_its_answer_alone(client, admin, intake):
    alone_id, alone_codes = await election_with_codes(client, admin)
    batch_id, batch_codes = await election_with_codes(client, admin)
    alone = []
    for credential, ballot in submissions(alone_codes):
        try:
            alone.append(await submit_online(intake, alone_id, credential, ballot))
        except Exception as exc:  # noqa: BLE001 -- the outcome under test
            alone.append(exc)
    commits = count_commits(intake)
    batched = await asyncio.gather(
        *(submit_online(intake, batch_id, c, b) for c, b in submissions(batch_codes)), return_exceptions=True
    )
    assert commits[0] == 1  # all seven in one transaction
    assert [outcome(r) for r in batched] == [outcome(r) for r in alone]
    # hand-checked: three accepted, two invalid, one conflict, one unknown credential
    assert [o[0] for o in map(outcome, batched)] == [
        "answer",
        "InvalidBallot",
        "ConflictError",
        "CredentialRejected",
        "answer",
        "InvalidBallot",
        "answer",
    ]
    assert await stored(intake, batch_id) == ['["a"]', '["c"]', '["b", "d"]'] == await stored(intake, alone_id)


async def test_a_database_error_in_a_batch_spares_the_others(client, intake):  # client: disposes the engine
    writes = GroupCommit(intake.sessions)

    async def note(session, detail: str) -> str:
        await repo.add_audit(session, None, "group-commit-test", None, detail)
        return detail

    async def broken(session) -> str:
        await note(session, "broken")
        await session.execute(text("SELECT * FROM no_such_table"))  # aborts the statement (and on PostgreSQL
        return "unreachable"  # the transaction, were it not for the SAVEPOINT)

    commits = count_commits(intake)
    results = await asyncio.gather(
        writes.run(lambda s: note(s, "first")),
        writes.run(broken),
        writes.run(lambda s: note(s, "last")),
        return_exceptions=True,
    )
    assert results[0] == "first"
    assert isinstance(results[1], DBAPIError)
    assert results[2] == "last"
    assert commits[0] == 1  # the batch of three; then the broken work alone, rolled back (no commit)
    async with intake.sessions.begin() as session:
        details = (await session.execute(select(AuditEntry.detail).order_by(AuditEntry.id))).scalars().all()
    assert list(details) == ["first", "last"]


async def test_a_failed_commit_runs_each_work_alone(client, intake, db_url):
    writes = GroupCommit(intake.sessions)

    async def note(session, detail: str, election_id: int | None = None) -> str:
        await repo.add_audit(session, None, "group-commit-test", election_id, detail)
        return detail

    async def dangling(session) -> str:
        # a constraint checked only at commit: the whole batch's commit fails because of this one work
        if db_url.startswith("sqlite"):
            await session.execute(text("PRAGMA defer_foreign_keys = ON"))
            return await note(session, "dangling", election_id=999)
        await session.execute(text("CREATE TEMP TABLE deferred (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)"))
        await session.execute(text("INSERT INTO deferred VALUES (1), (1)"))
        return await note(session, "dangling")

    results = await asyncio.gather(
        writes.run(lambda s: note(s, "first")),
        writes.run(dangling),
        writes.run(lambda s: note(s, "last")),
        return_exceptions=True,
    )
    assert results[0] == "first"
    assert isinstance(results[1], DBAPIError)
    assert results[2] == "last"
    async with intake.sessions.begin() as session:
        details = (await session.execute(select(AuditEntry.detail).order_by(AuditEntry.id))).scalars().all()
    assert list(details) == ["first", "last"]


async def test_max_batch_must_be_positive(client, intake):
    with pytest.raises(ValueError, match="max_batch must be at least 1, not 0"):
        GroupCommit(intake.sessions, max_batch=0)


async def count_statements(intake) -> list[int]:
    """A one-element list holding the number of statements sent through the intake's engine from now on.

    On SQLite, every statement SQLite runs (its trace callback: BEGIN and COMMIT included), as the batch's own
    statements go to the driver's connection directly, past SQLAlchemy's events; elsewhere, SQLAlchemy's cursor
    executions (BEGIN and COMMIT are not among them).
    """
    statements = [0]
    engine = intake.sessions.kw["bind"]

    def on_execute(*_args: object) -> None:
        statements[0] += 1

    if engine.dialect.name != "sqlite":
        event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
        return statements

    def trace(connection: Any) -> Awaitable[None]:
        return connection.set_trace_callback(on_execute)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.run_async(trace)

    async with engine.connect() as connection:  # the pooled connection, already open
        await (await connection.get_raw_connection()).driver_connection.set_trace_callback(on_execute)
    return statements


async def test_a_batch_costs_the_same_statements_for_five_ballots_or_forty(client, admin, intake):
    counts = []
    for size in (5, 40):
        election_id = await create_election(client, admin)
        codes = await make_codes(client, admin, election_id, size)
        await open_election(client, admin, election_id)
        statements = await count_statements(intake)
        answers = await asyncio.gather(
            *(submit_online(intake, election_id, Credential("code", code), BallotInput(("c",))) for code in codes)
        )
        assert {answer.status_code for answer in answers} == {201}
        assert len(await stored(intake, election_id)) == size
        counts.append(statements[0])
    # PostgreSQL, per batch: the lock, the election's status with every voter (IN), its definition (read in the
    # election's first batch only), one INSERT of the ballots with their participation: 4; then `stored`: 1.
    # SQLite: BEGIN IMMEDIATE, the status with every voter, the definition, the ballots' INSERT, the SELECT of those
    # stored, the participation's INSERT, COMMIT: 7; then `stored`: BEGIN IMMEDIATE, its SELECT, COMMIT: 3
    assert counts[0] == counts[1] == (10 if intake.sessions.kw["bind"].dialect.name == "sqlite" else 5)


async def test_the_same_voter_or_key_twice_in_a_batch_is_answered_as_one_after_the_other(client, admin, intake):
    election_id = await create_election(client, admin, allow_revote=True)
    codes = await make_codes(client, admin, election_id, 3)
    await open_election(client, admin, election_id)
    first, second, third = (Credential("code", code) for code in codes)
    results = await asyncio.gather(
        submit_online(intake, election_id, first, BallotInput(("a",))),
        submit_online(intake, election_id, first, BallotInput(("d",))),  # a re-vote: replaces the one before
        submit_online(intake, election_id, second, BallotInput(("c",)), idempotency_key="k"),
        submit_online(intake, election_id, second, BallotInput(("c",)), idempotency_key="k"),  # a retry
        submit_online(intake, election_id, third, BallotInput(("b",)), idempotency_key="k"),  # the key reused
        return_exceptions=True,
    )
    assert [outcome(r)[0] for r in results] == ["answer", "answer", "answer", "answer", "ConflictError"]
    assert results[2].body == results[3].body  # the retry gets the first answer
    assert results[3].replayed
    assert "already used for a different ballot" in str(results[4])
    assert sorted(await stored(intake, election_id)) == ['["c"]', '["d"]']


async def test_opening_refreshes_the_planner_statistics_of_the_roll(client, admin, intake, db_url):
    election_id = await create_election(client, admin)
    await make_codes(client, admin, election_id, 1500)
    await open_election(client, admin, election_id)  # ANALYZE voters: batches of credentials go through the index
    if db_url.startswith("sqlite"):
        query = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'voters' AND idx IS NOT NULL"
    else:
        query = "SELECT reltuples::bigint::text FROM pg_class WHERE relname = 'voters'"
    async with intake.sessions.begin() as session:
        stats = (await session.execute(text(query))).scalars().all()
    assert stats
    assert {int(stat.split()[0]) for stat in stats} == {1500}  # the planner knows the roll's size


class _Deadlock(Exception):
    sqlstate = "40P01"  # as asyncpg's errors carry it


async def test_a_deadlock_victim_alone_runs_again_and_other_errors_do_not(client, intake):
    writes = GroupCommit(intake.sessions)
    tries = {"victim": 0, "broken": 0}

    async def victim(session) -> str:
        tries["victim"] += 1
        if tries["victim"] == 1:
            raise DBAPIError("INSERT ...", {}, _Deadlock("deadlock detected"))
        await repo.add_audit(session, None, "group-commit-test", None, "victim")
        return "stored"

    async def broken(session) -> str:
        tries["broken"] += 1
        raise DBAPIError("INSERT ...", {}, ValueError("not a deadlock"))

    assert await writes.run(victim) == "stored"
    with pytest.raises(DBAPIError, match="not a deadlock"):
        await writes.run(broken)
    assert tries == {"victim": 2, "broken": 1}
    async with intake.sessions.begin() as session:
        details = (await session.execute(select(AuditEntry.detail))).scalars().all()
    assert list(details) == ["victim"]


async def test_a_drainer_keeps_its_connection_between_batches_on_postgresql(client, intake, db_url):
    writes = GroupCommit(intake.sessions, max_batch=2, max_concurrent=1)
    checkouts = [0]

    def on_checkout(*_args: object) -> None:
        checkouts[0] += 1

    event.listen(intake.sessions.kw["bind"].sync_engine, "checkout", on_checkout)

    async def note(session, detail: str) -> str:
        await repo.add_audit(session, None, "group-commit-test", None, detail)
        return detail

    details = [f"work {n}" for n in range(6)]
    assert await asyncio.gather(*(writes.run(lambda s, d=d: note(s, d)) for d in details)) == details
    # three batches of two, one after the other: one checkout (and pre-ping) on PostgreSQL; on SQLite the one pooled
    # connection goes back after each batch, for the other writers
    assert checkouts[0] == (3 if db_url.startswith("sqlite") else 1)
    assert intake.sessions.kw["bind"].sync_engine.pool.checkedout() == 0  # all answered: every connection given back


async def test_a_key_claimed_by_another_process_after_the_lookup_sends_the_batch_to_run_alone(
    client, admin, intake, monkeypatch
):
    election_id, codes = await election_with_codes(client, admin)
    async with intake.sessions.begin() as session:  # as if another server had just answered this key
        await session.execute(
            text(
                "INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body) "
                "VALUES (:election, 'taken', 'another request', 201, '{}')"
            ),
            {"election": election_id},
        )
    lookup = bulk.find_idempotents
    lookups = []

    async def missed_once(session, election_id, keys):
        lookups.append(list(keys))
        return {} if len(lookups) == 1 else await lookup(session, election_id, keys)  # the batch looked too early

    monkeypatch.setattr(bulk, "find_idempotents", missed_once)
    commits = count_commits(intake)
    results = await asyncio.gather(
        submit_online(intake, election_id, Credential("code", codes[0]), BallotInput(("a",)), idempotency_key="taken"),
        submit_online(intake, election_id, Credential("code", codes[1]), BallotInput(("c",)), idempotency_key="mine"),
        submit_online(intake, election_id, Credential("code", codes[2]), BallotInput(("d",))),
        return_exceptions=True,
    )
    assert lookups[0] == ["taken", "mine"]  # one batch, whose insert failed on the key; then each alone
    assert [outcome(r)[0] for r in results] == ["ConflictError", "answer", "answer"]
    assert "already used for a different ballot" in str(results[0])
    assert commits[0] == 2  # the two stored alone
    assert sorted(await stored(intake, election_id)) == ['["c"]', '["d"]']
    async with intake.sessions.begin() as session:
        keys = (await session.execute(text("SELECT key, request_digest FROM idempotency_keys ORDER BY key"))).all()
    assert [key for key, _ in keys] == ["mine", "taken"]
    assert keys[1] == ("taken", "another request")  # the other server's answer, untouched
