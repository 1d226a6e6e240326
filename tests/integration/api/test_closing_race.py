"""Closing races the ballots in flight: no ballot commits after the close, and none is taken on a stale status.

Intake reads the election's status in a statement of its own after the shared status lock (PostgreSQL's advisory
lock; SQLite's `BEGIN IMMEDIATE`), so a batch that waited for a close sees it, even when the election's definition
was parsed and kept by an earlier batch.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from ballots.errors import InvalidBallot
from ballots.intake.common import BallotInput, Credential
from ballots.intake.online import submit_online
from ballots.store.engine import make_engine
from ballots.store.models import BallotRow
from tests.integration.api.helpers import create_election, make_codes, open_election, vote

pytestmark = pytest.mark.anyio

_LOCK_NAMESPACE = 0x7062  # ballots.store.repository's namespace of advisory locks


async def ballot_count(intake, election_id: int) -> int:
    async with intake.sessions.begin() as session:
        query = select(func.count()).select_from(BallotRow).where(BallotRow.election_id == election_id)
        return int((await session.execute(query)).scalar_one())


async def test_a_batch_that_waited_for_a_close_refuses_its_ballots(client, admin, intake, db_url):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 6)
    await open_election(client, admin, election_id)
    first = await submit_online(intake, election_id, Credential("code", codes[0]), BallotInput(("a",)))
    assert first.status_code == 201  # the definition is now parsed and kept by the server
    closer = make_engine(db_url, null_pool=True)
    try:
        async with closer.connect() as connection:
            transaction = await connection.begin()  # SQLite: BEGIN IMMEDIATE, the database's one writer
            if db_url.startswith("postgresql"):  # as `close_election` does: the exclusive lock, then the update
                lock = "SELECT pg_advisory_xact_lock(:namespace, :election)"
                await connection.execute(text(lock), {"namespace": _LOCK_NAMESPACE, "election": election_id})
            update = "UPDATE elections SET status = 'closed' WHERE id = :election"
            await connection.execute(text(update), {"election": election_id})
            ballots = asyncio.gather(
                *(submit_online(intake, election_id, Credential("code", c), BallotInput(("c",))) for c in codes[1:]),
                return_exceptions=True,
            )
            await asyncio.sleep(0.5)
            assert not ballots.done()  # waiting for the close's lock
            await transaction.commit()
        answers = await ballots
    finally:
        await closer.dispose()
    assert all(isinstance(a, InvalidBallot) for a in answers), answers
    assert {r.code for a in answers for r in a.field_reasons} == {"not-open"}  # type: ignore[union-attr]
    assert await ballot_count(intake, election_id) == 1


async def test_no_ballot_commits_after_the_close_commits(client, admin, intake):
    election_id = await create_election(client, admin)
    codes = await make_codes(client, admin, election_id, 120)
    await open_election(client, admin, election_id)

    voting = asyncio.Event()

    async def close_midway() -> int:
        await voting.wait()
        closed = await client.post(f"/api/v1/elections/{election_id}/close", headers=admin)
        assert closed.status_code == 200, closed.text
        return await ballot_count(intake, election_id)  # counted right after the close's answer

    async def wave() -> list[int]:
        statuses = []
        for chunk in range(0, len(codes), 20):
            answers = await asyncio.gather(*(vote(client, election_id, c, ["a"]) for c in codes[chunk : chunk + 20]))
            statuses += [a.status_code for a in answers]
            voting.set()  # the close is sent while the next waves are in flight
        return statuses

    at_close, statuses = await asyncio.gather(close_midway(), wave())
    assert set(statuses) <= {201, 422}
    accepted = statuses.count(201)
    assert 0 < accepted < len(codes)  # the close came in the middle of the voting
    assert at_close == accepted == await ballot_count(intake, election_id)  # nothing stored after the close
