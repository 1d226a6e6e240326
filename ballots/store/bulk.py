"""Queries over many rows in one statement, for ballots handled in batches (`ballots.intake.online`).

Each is one round trip to the database whatever the number of rows: a lookup with `IN`, or a multi-row
`INSERT ... ON CONFLICT ... RETURNING` (SQLAlchemy's "insertmanyvalues"). Like `ballots.store.repository`, they run
inside the caller's transaction, never commit, and leave every invariant to the database's unique constraints.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.store.models import BallotRow, IdempotencyRow, VoterRow
from ballots.store.repository import BallotValues, ballot_insert, insert_statement

__all__ = ["find_idempotents", "find_voters", "insert_ballots", "insert_idempotents", "voter_channels"]


async def find_voters(session: AsyncSession, election_id: int, hashes: Sequence[str]) -> dict[str, VoterRow]:
    """The roll entries with these keyed credential hashes, by hash (unknown hashes are absent)."""
    if not hashes:
        return {}
    query = select(VoterRow).where(VoterRow.election_id == election_id, VoterRow.credential_hash.in_(set(hashes)))
    return {voter.credential_hash: voter for voter in (await session.execute(query)).scalars()}


async def insert_ballots(session: AsyncSession, rows: Sequence[BallotValues], *, replace: bool) -> set[str]:
    """Insert ballots of distinct voters, as `repository.insert_ballot` does each.

    Returns:
        The voter links whose ballot was stored; a voter missing from it already has a row, left as it was.
    """
    if not rows:
        return set()
    if len({row.voter_link for row in rows}) != len(rows):
        raise ValueError("insert_ballots needs ballots of distinct voters")  # one statement may not hit a row twice
    connection = await session.connection()
    statement = ballot_insert(session, replace=replace)
    result = await connection.execute(statement, [row.as_row() for row in rows])
    return {link for (link,) in result.all() if link is not None}


async def voter_channels(session: AsyncSession, election_id: int, links: Sequence[str]) -> dict[str, str]:
    """The channel of the row each of these voters already has (a ballot or a kiosk check-in), by voter link."""
    if not links:
        return {}
    query = select(BallotRow.voter_link, BallotRow.channel).where(
        BallotRow.election_id == election_id, BallotRow.voter_link.in_(set(links))
    )
    return {link: channel for link, channel in (await session.execute(query)).all() if link is not None}


async def find_idempotents(session: AsyncSession, election_id: int, keys: Sequence[str]) -> dict[str, IdempotencyRow]:
    """The answers stored under these idempotency keys, by key (keys never used are absent)."""
    if not keys:
        return {}
    query = select(IdempotencyRow).where(IdempotencyRow.election_id == election_id, IdempotencyRow.key.in_(set(keys)))
    return {row.key: row for row in (await session.execute(query)).scalars()}


async def insert_idempotents(
    session: AsyncSession, election_id: int, answers: Sequence[tuple[str, str, str]]
) -> set[str]:
    """Claim idempotency keys with the 201 answers given under them: (key, request digest, body) each.

    Returns:
        The keys claimed; a key missing from it was claimed first by a concurrent request.
    """
    if not answers:
        return set()
    rows = [
        {"election_id": election_id, "key": key, "request_digest": digest, "status_code": 201, "body": body}
        for key, digest, body in sorted(answers)
    ]
    statement = insert_statement(session, IdempotencyRow.__table__).on_conflict_do_nothing()  # type: ignore[arg-type]
    connection = await session.connection()
    result = await connection.execute(statement.returning(IdempotencyRow.key), rows)
    return {key for (key,) in result.all()}
