"""What the pages read: through the intake's repository where it has the query, else short reads of its tables.

The lists (elections, kiosks, batches) are read-only selects the JSON API does not need; everything that writes
goes through the intake services.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ballots.context import Intake
from ballots.store import repository as repo
from ballots.store.models import BallotRow, ElectionRow, KioskRow, PaperBatchRow
from pbvote.election import Election
from pbvote.errors import NotFound
from pbvote.record.receipts import receipt_ballot_id

__all__ = [
    "ElectionPage",
    "count_votes",
    "find_receipt",
    "get_batch",
    "list_batches",
    "list_elections",
    "list_kiosks",
    "load_election",
    "receipt_counted",
]


@dataclass(frozen=True, slots=True)
class ElectionPage:
    """An election as the pages need it: its stored row and its parsed definition."""

    row: ElectionRow
    election: Election

    @property
    def id(self) -> int:
        """The election's id."""
        return self.row.id

    @property
    def name(self) -> str:
        """The election's name."""
        return self.row.name


async def load_election(intake: Intake, election_id: int) -> ElectionPage:
    """The election with this id.

    Raises:
        NotFound: when there is none.
    """
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
    return ElectionPage(row, intake.election(row))


async def receipt_counted(intake: Intake, election_id: int, receipt: str) -> bool:
    """Whether a counted ballot of the election carries this receipt (found by its published ballot id)."""
    async with intake.sessions.begin() as session:
        election = await repo.get_election(session, election_id)
        if election.election_hash is None:
            return False
        try:
            ballot_id = receipt_ballot_id(election.election_hash, receipt)
        except ValueError:
            return False
        row = await repo.ballot_by_id(session, election_id, ballot_id)
    return row is not None and row.status == "counted"


async def find_receipt(intake: Intake, code: str) -> ElectionRow | None:
    """The election where a counted ballot carries this receipt code, if any; `None` too for a malformed code.

    The code is never stored, only its `ballot_id` under the election's hash, so the code is tried against every
    election whose hash is published (one per city and year: a few dozen at most), in one query.
    """
    async with intake.sessions.begin() as session:
        query = select(ElectionRow).where(ElectionRow.election_hash.is_not(None)).order_by(ElectionRow.id)
        candidates: dict[str, list[ElectionRow]] = {}
        for row in (await session.execute(query)).scalars():
            try:
                ballot_id = receipt_ballot_id(row.election_hash or "", code)
            except ValueError:
                return None
            # two elections with the same definition have the same hash, so the same ballot id for a code
            candidates.setdefault(ballot_id, []).append(row)
        if not candidates:
            return None
        ballots = select(BallotRow.election_id, BallotRow.ballot_id).where(
            BallotRow.ballot_id.in_(list(candidates)), BallotRow.status == "counted"
        )
        for election_id, ballot_id in (await session.execute(ballots)).all():
            for row in candidates[ballot_id]:
                if row.id == election_id:
                    return row
    return None


async def count_votes(intake: Intake, election_id: int) -> tuple[Counter[str], Counter[str]]:
    """How many counted ballots name each project, and how many counted ballots each district has (`""`: none)."""
    votes: Counter[str] = Counter()
    voters: Counter[str] = Counter()
    async with intake.sessions.begin() as session:
        rows = await repo.counted_ballots(session, election_id)
    for row in rows:
        votes.update(set(json.loads(row.selections)))
        voters[row.district or ""] += 1
    return votes, voters


async def list_elections(intake: Intake) -> Sequence[ElectionRow]:
    """Every election, newest first (the kiosk's choice of election)."""
    async with intake.sessions.begin() as session:
        return (await session.execute(select(ElectionRow).order_by(ElectionRow.id.desc()))).scalars().all()


async def list_kiosks(intake: Intake, election_id: int) -> Sequence[KioskRow]:
    """The kiosks registered for an election."""
    async with intake.sessions.begin() as session:
        query = select(KioskRow).where(KioskRow.election_id == election_id).order_by(KioskRow.id)
        return (await session.execute(query)).scalars().all()


async def list_batches(intake: Intake, election_id: int) -> Sequence[PaperBatchRow]:
    """The paper batches of an election."""
    async with intake.sessions.begin() as session:
        query = select(PaperBatchRow).where(PaperBatchRow.election_id == election_id).order_by(PaperBatchRow.id)
        return (await session.execute(query)).scalars().all()


async def get_batch(intake: Intake, election_id: int, batch_id: int) -> PaperBatchRow:
    """One paper batch of the election.

    Raises:
        NotFound: when the election has no such batch.
    """
    async with intake.sessions.begin() as session:
        batch = await session.get(PaperBatchRow, batch_id)
    if batch is None or batch.election_id != election_id:
        raise NotFound(f"paper batch {batch_id} is not in election {election_id}")
    return batch
