"""Queries over many rows in one statement, for ballots handled in batches (`ballots.intake.online`).

Each is one round trip to the database whatever the number of rows: a lookup with `IN`, or a multi-row
`INSERT ... ON CONFLICT ... RETURNING` (SQLAlchemy's "insertmanyvalues"). Like `ballots.store.repository`, they run
inside the caller's transaction, never commit, and leave every invariant to the database's unique constraints.

`insert_online_ballots` stores a batch of online ballots with their idempotency keys and participation rows: on
PostgreSQL in one statement (three INSERTs joined by data-modifying CTEs over `unnest` arrays, one prepared statement
whatever the batch size), on SQLite in three.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from ballots.store.models import BallotRow, ElectionRow, IdempotencyRow, ParticipationRow, VoterRow
from ballots.store.repository import REVOTE_COLUMNS, BallotValues, ballot_insert, insert_statement, revote_replaces

__all__ = [
    "election_and_voters",
    "find_idempotents",
    "insert_ballots",
    "insert_idempotents",
    "insert_online_ballots",
    "insert_participation",
    "voter_channels",
]

KeyedAnswer = tuple[str, str, str, str]
"""An idempotency key to claim with the 201 answer given under it: (voter link, key, request digest, body)."""


async def election_and_voters(
    session: AsyncSession, election_id: int, hashes: Sequence[str]
) -> tuple[ElectionRow, dict[str, VoterRow]] | None:
    """The election's row and the roll entries with these keyed credential hashes, in one statement.

    The row comes without its `definition` (loading it raises): a frozen election's definition is parsed once per
    server (`ballots.context.Intake.election`); `session.refresh(row, ["definition"])` loads it when needed.

    Returns:
        `None` if there is no such election; else its row and the entries found, by hash.
    """
    query = (
        select(ElectionRow, VoterRow)
        .outerjoin(VoterRow, (VoterRow.election_id == ElectionRow.id) & VoterRow.credential_hash.in_(set(hashes)))
        .where(ElectionRow.id == election_id)
        .options(defer(ElectionRow.definition, raiseload=True), defer(ElectionRow.result, raiseload=True))
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    return rows[0][0], {voter.credential_hash: voter for _, voter in rows if voter is not None}


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
    rows = _key_rows(election_id, sorted(answers))
    statement = insert_statement(session, IdempotencyRow.__table__).on_conflict_do_nothing()  # type: ignore[arg-type]
    connection = await session.connection()
    result = await connection.execute(statement.returning(IdempotencyRow.key), rows)
    return {key for (key,) in result.all()}


def _key_rows(election_id: int, answers: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """`idempotency_keys` rows for 201 answers given under keys: (key, request digest, body) each."""
    return [
        {"election_id": election_id, "key": key, "request_digest": digest, "status_code": 201, "body": body}
        for key, digest, body in answers
    ]


async def insert_participation(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert participation rows (`ParticipationRow` columns); a resident already recorded is left as it was."""
    if not rows:
        return
    statement = insert_statement(session, ParticipationRow.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
        index_elements=["election_id", "voter_key"]
    )
    await session.execute(statement, list(rows))


async def insert_online_ballots(
    session: AsyncSession,
    election_id: int,
    ballots: Sequence[BallotValues],
    *,
    keys: Sequence[KeyedAnswer],
    participants: Sequence[tuple[str, Mapping[str, Any]]],
    replace: bool,
) -> set[str]:
    """Insert online ballots of distinct voters (as `insert_ballots`), with the keys and participation of those stored.

    `keys` are claimed, and `participants` (voter link, `ParticipationRow` columns) recorded, only for the voters
    whose ballot was stored. A key is inserted without `ON CONFLICT`: a key claimed by a concurrent transaction fails
    the statement (a unique violation), and with it the caller's transaction. Rows are written ballots first, then
    keys (sorted), then participation, as on every other path.

    Returns:
        The voter links whose ballot was stored; a voter missing from it already has a row, left as it was.
    """
    if not ballots:
        return set()
    if len({row.voter_link for row in ballots}) != len(ballots):
        raise ValueError("insert_online_ballots needs ballots of distinct voters")
    if any(row.channel != "online" or row.status != "counted" or row.client_uuid is not None for row in ballots):
        raise ValueError("insert_online_ballots stores counted online ballots only")
    keys = sorted(keys, key=lambda answer: answer[1])
    if session.get_bind().dialect.name == "postgresql":
        return await _insert_online_postgresql(session, election_id, ballots, keys, participants, replace=replace)
    stored = await insert_ballots(session, ballots, replace=replace)
    claimed = _key_rows(election_id, [(key, digest, body) for link, key, digest, body in keys if link in stored])
    if claimed:
        await session.execute(insert(IdempotencyRow), claimed)
    await insert_participation(session, [row for link, row in participants if link in stored])
    return stored


_ONLINE_BALLOTS_SQL = """
WITH stored AS (
    INSERT INTO ballots (election_id, voter_link, ballot_id, channel, status, district, selections, points)
    SELECT :election_id, b.voter_link, b.ballot_id, 'online', 'counted', b.district, b.selections, b.points
    FROM unnest(
        CAST(:links AS text[]), CAST(:ballot_ids AS text[]), CAST(:districts AS text[]),
        CAST(:selections AS text[]), CAST(:points AS text[])
    ) WITH ORDINALITY AS b(voter_link, ballot_id, district, selections, points, n)
    ORDER BY b.n
    {on_conflict}
    RETURNING voter_link
), claimed AS (
    INSERT INTO idempotency_keys (election_id, key, request_digest, status_code, body)
    SELECT :election_id, k.key, k.digest, 201, k.body
    FROM unnest(
        CAST(:key_links AS text[]), CAST(:keys AS text[]), CAST(:digests AS text[]), CAST(:bodies AS text[])
    ) WITH ORDINALITY AS k(voter_link, key, digest, body, n)
    WHERE k.voter_link IN (SELECT voter_link FROM stored)
    ORDER BY k.n
), participated AS (
    INSERT INTO participation (election_id, voter_key, district, channel, gender, age_group)
    SELECT :election_id, p.voter_key, p.district, 'online', p.gender, p.age_group
    FROM unnest(
        CAST(:participant_links AS text[]), CAST(:voter_keys AS text[]), CAST(:participant_districts AS text[]),
        CAST(:genders AS text[]), CAST(:age_groups AS text[])
    ) WITH ORDINALITY AS p(voter_link, voter_key, district, gender, age_group, n)
    WHERE p.voter_link IN (SELECT voter_link FROM stored)
    ORDER BY p.n
    ON CONFLICT (election_id, voter_key) DO NOTHING
)
SELECT voter_link FROM stored
"""
# the conflict rules of `repository.ballot_insert`, from the same definitions: a voter's row stands, unless re-voting
# replaces a counted online ballot
_KEEP = "ON CONFLICT (election_id, voter_link) DO NOTHING"
# SQLAlchemy's dialect classes are untyped
_POSTGRESQL = postgresql.dialect()  # type: ignore[no-untyped-call]
_REPLACE = (
    "ON CONFLICT (election_id, voter_link) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in REVOTE_COLUMNS)
    + " WHERE "
    + str(revote_replaces().compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True}))
)
_ONLINE_STATEMENTS = {
    replace: text(_ONLINE_BALLOTS_SQL.format(on_conflict=_REPLACE if replace else _KEEP)) for replace in (False, True)
}


async def _insert_online_postgresql(
    session: AsyncSession,
    election_id: int,
    ballots: Sequence[BallotValues],
    keys: Sequence[KeyedAnswer],
    participants: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    replace: bool,
) -> set[str]:
    if any(row["channel"] != "online" for _, row in participants):
        raise ValueError("insert_online_ballots records online participation only")
    parameters = {
        "election_id": election_id,
        "links": [row.voter_link for row in ballots],
        "ballot_ids": [row.ballot_id for row in ballots],
        "districts": [row.district for row in ballots],
        "selections": [row.selections for row in ballots],
        "points": [row.points for row in ballots],
        "key_links": [link for link, _, _, _ in keys],
        "keys": [key for _, key, _, _ in keys],
        "digests": [digest for _, _, digest, _ in keys],
        "bodies": [body for _, _, _, body in keys],
        "participant_links": [link for link, _ in participants],
        "voter_keys": [row["voter_key"] for _, row in participants],
        "participant_districts": [row["district"] for _, row in participants],
        "genders": [row["gender"] for _, row in participants],
        "age_groups": [row["age_group"] for _, row in participants],
    }
    result = await session.execute(_ONLINE_STATEMENTS[replace], parameters)
    return {link for (link,) in result.all() if link is not None}
