"""Queries of the ballot store. Every function runs inside the caller's transaction and never commits.

Invariants are left to the database: one row per voter and election in `ballots` (`uq_ballots_voter`), one
ballot per kiosk queue UUID (`uq_ballots_kiosk_uuid`), one answer per idempotency key. Writes that may collide
use `INSERT ... ON CONFLICT`, so concurrent requests never check-then-insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.store.models import (
    AuditEntry,
    BallotRow,
    ElectionRow,
    IdempotencyRow,
    PaperBatchRow,
    StaffTokenRow,
    VoterRow,
)
from pbvote.errors import ConflictError, NotFound

__all__ = [
    "REVOTE_COLUMNS",
    "BallotValues",
    "add_audit",
    "analyze_roll",
    "ballot_by_id",
    "ballot_by_uuid",
    "ballot_insert",
    "counted_ballots",
    "enter_checked_in",
    "find_idempotent",
    "find_voter",
    "flush_or_conflict",
    "get_election",
    "insert_ballot",
    "insert_statement",
    "lock_election",
    "now",
    "revote_replaces",
    "set_status",
    "staff_by_hash",
    "turnout",
    "unreconciled_batches",
    "voter_ballot",
]


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BallotValues:
    """A ballot row ready to insert (selections and points as JSON text)."""

    election_id: int
    voter_link: str | None
    ballot_id: str
    channel: str
    status: str
    district: str | None
    selections: str
    points: str
    reason: str | None = None
    kiosk_id: int | None = None
    batch_id: int | None = None
    client_uuid: str | None = None

    def as_row(self) -> dict[str, Any]:
        """The column values."""
        return {name: getattr(self, name) for name in self.__slots__}


def insert_statement(session: AsyncSession, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` in the session's dialect (for its `ON CONFLICT` clauses)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def get_election(session: AsyncSession, election_id: int, *, share_lock: bool = False) -> ElectionRow:
    """The election with this id.

    `share_lock` keeps the election's status from changing until this transaction ends (ballot intake takes it,
    closing waits for it). On PostgreSQL it is a shared advisory lock, held in the lock manager: a row lock
    (`FOR SHARE`) would write the election's row on every ballot. SQLite's `BEGIN IMMEDIATE` already serializes.

    Raises:
        NotFound: when there is no such election.
    """
    if share_lock:
        await lock_election(session, election_id, shared=True)
    row = (await session.execute(select(ElectionRow).where(ElectionRow.id == election_id))).scalar_one_or_none()
    if row is None:
        raise NotFound(f"election {election_id} does not exist")
    return row


_LOCK_NAMESPACE = 0x7062  # "pb": keeps pbvote's advisory locks apart from any other application's


_LOCKS = {
    shared: text(f"SELECT {function}(:namespace, :election)")
    for shared, function in ((True, "pg_advisory_xact_lock_shared"), (False, "pg_advisory_xact_lock"))
}


async def lock_election(session: AsyncSession, election_id: int, *, shared: bool) -> None:
    """Hold the election's status lock until this transaction ends: `shared` for ballots, exclusive to change it.

    On PostgreSQL an advisory lock (see `get_election`); on SQLite nothing, as `BEGIN IMMEDIATE` serializes writers.
    A statement that reads the status must come after this one: under READ COMMITTED a statement's snapshot is taken
    when it starts, so one that waited here inside itself could still see the status from before the wait.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = await session.connection()  # Core, past the ORM's statement handling
    await connection.execute(_LOCKS[shared], {"namespace": _LOCK_NAMESPACE, "election": election_id})


async def set_status(session: AsyncSession, election: ElectionRow, before: str, after: str, **values: Any) -> None:  # noqa: ANN401 -- column values of any type
    """Move the election from `before` to `after` (a conditional update, so racing moves cannot both win).

    Raises:
        ConflictError: when the election is not in `before`.
    """
    await lock_election(session, election.id, shared=False)
    statement = (
        update(ElectionRow)
        .where(ElectionRow.id == election.id, ElectionRow.status == before)
        .values(status=after, **values)
        .returning(ElectionRow.id)
    )
    if (await session.execute(statement)).scalar_one_or_none() is None:
        raise ConflictError(f"election {election.id} is {election.status}, not {before}; it cannot become {after}")
    await session.refresh(election)


async def analyze_roll(session: AsyncSession) -> None:
    """Refresh the query planner's statistics of the roll (`ANALYZE voters`).

    A roll loaded just before opening is unknown to the planner until autovacuum gets to it; meanwhile PostgreSQL
    may scan the whole table to look up a batch of credentials (measured: 60-130 ms for 40 credentials among 40,000
    entries, against 1 ms through the index).
    """
    await session.execute(text("ANALYZE voters"))


async def find_voter(session: AsyncSession, election_id: int, credential_hash: str) -> VoterRow | None:
    """The roll entry with this keyed credential hash, if any."""
    query = select(VoterRow).where(VoterRow.election_id == election_id, VoterRow.credential_hash == credential_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def insert_ballot(session: AsyncSession, values: BallotValues, *, replace: bool) -> bool:
    """Insert a ballot; on a voter who already has a row, replace it only if `replace` and it is an online ballot.

    Returns:
        Whether the ballot was stored; `False` means the voter's row exists and was left as it was.
    """
    result = await session.execute(ballot_insert(session, replace=replace).values(values.as_row()))
    return result.scalar_one_or_none() is not None


REVOTE_COLUMNS = ("ballot_id", "district", "selections", "points")
"""What a re-vote replaces in the voter's row (`ballot_insert`; `bulk.insert_online_ballots` on PostgreSQL)."""


def revote_replaces() -> ColumnElement[bool]:
    """The rows a re-vote may replace: a counted online ballot (a kiosk's or a paper ballot stands)."""
    return (BallotRow.channel == "online") & (BallotRow.status == "counted")


def ballot_insert(session: AsyncSession, *, replace: bool) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of ballots, `RETURNING voter_link` for each row stored.

    A voter who has a row keeps it, unless `replace` and it is a counted online ballot, which the new one replaces
    (a re-vote).
    """
    statement = insert_statement(session, BallotRow.__table__)  # type: ignore[arg-type]
    if replace:
        changes = {k: statement.excluded[k] for k in REVOTE_COLUMNS}
        statement = statement.on_conflict_do_update(
            index_elements=["election_id", "voter_link"], set_=changes, where=revote_replaces()
        )
    else:
        statement = statement.on_conflict_do_nothing()
    return statement.returning(BallotRow.voter_link)  # type: ignore[return-value]


async def voter_ballot(session: AsyncSession, election_id: int, voter_link: str) -> BallotRow | None:
    """The row a voter already has (a ballot or a check-in), if any."""
    query = select(BallotRow).where(BallotRow.election_id == election_id, BallotRow.voter_link == voter_link)
    return (await session.execute(query)).scalar_one_or_none()


async def enter_checked_in(session: AsyncSession, election_id: int, checkin: str, values: BallotValues) -> bool:
    """Fill in the ballot of a pending kiosk check-in (by its `ballot_id`); `False` if none is pending."""
    statement = (
        update(BallotRow)
        .where(BallotRow.election_id == election_id, BallotRow.ballot_id == checkin, BallotRow.status == "pending")
        .values(status="counted", district=values.district, selections=values.selections, points=values.points)
        .returning(BallotRow.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def counted_ballots(session: AsyncSession, election_id: int) -> Sequence[BallotRow]:
    """Every counted ballot of the election, in storage order."""
    query = (
        select(BallotRow)
        .where(BallotRow.election_id == election_id, BallotRow.status == "counted")
        .order_by(BallotRow.id)
    )
    return (await session.execute(query)).scalars().all()


async def turnout(session: AsyncSession, election_id: int) -> list[tuple[str | None, str, int]]:
    """Counted ballots by district and channel."""
    query = (
        select(BallotRow.district, BallotRow.channel, func.count())
        .where(BallotRow.election_id == election_id, BallotRow.status == "counted")
        .group_by(BallotRow.district, BallotRow.channel)
        .order_by(BallotRow.district, BallotRow.channel)
    )
    return [(d, c, int(n)) for d, c, n in (await session.execute(query)).all()]


async def find_idempotent(session: AsyncSession, election_id: int, key: str) -> IdempotencyRow | None:
    """The stored answer for an idempotency key, if any."""
    query = select(IdempotencyRow).where(IdempotencyRow.election_id == election_id, IdempotencyRow.key == key)
    return (await session.execute(query)).scalar_one_or_none()


async def staff_by_hash(session: AsyncSession, token_hash: str) -> StaffTokenRow | None:
    """The staff token stored under this hash, if any."""
    query = select(StaffTokenRow).where(StaffTokenRow.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def add_audit(
    session: AsyncSession, staff: StaffTokenRow | None, action: str, election_id: int | None, detail: str
) -> None:
    """Append one entry to the audit log (`staff` `None`: the command line)."""
    role = staff.role if staff is not None else "cli"
    staff_id = staff.id if staff is not None else None
    session.add(
        AuditEntry(at=now(), staff_id=staff_id, role=role, action=action, election_id=election_id, detail=detail)
    )
    await session.flush()


async def flush_or_conflict(session: AsyncSession, message: str) -> None:
    """Flush pending rows; a broken unique constraint becomes a `ConflictError` with `message`.

    Raises:
        ConflictError: when the database refuses the rows.
    """
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(message) from exc


async def unreconciled_batches(session: AsyncSession, election_id: int) -> list[int]:
    """The ids of the election's paper batches that are not reconciled."""
    query = select(PaperBatchRow.id).where(
        PaperBatchRow.election_id == election_id, PaperBatchRow.status != "reconciled"
    )
    return list((await session.execute(query.order_by(PaperBatchRow.id))).scalars().all())


async def ballot_by_id(session: AsyncSession, election_id: int, ballot_id: str) -> BallotRow | None:
    """The ballot or check-in with this published `ballot_id`, if any."""
    query = select(BallotRow).where(BallotRow.election_id == election_id, BallotRow.ballot_id == ballot_id)
    return (await session.execute(query)).scalar_one_or_none()


async def ballot_by_uuid(session: AsyncSession, kiosk_id: int, client_uuid: str) -> BallotRow | None:
    """The ballot a kiosk queued offline under this UUID, if it was synced before."""
    query = select(BallotRow).where(BallotRow.kiosk_id == kiosk_id, BallotRow.client_uuid == client_uuid)
    return (await session.execute(query)).scalar_one_or_none()
