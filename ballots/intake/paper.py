"""Paper ballots, keyed twice.

A batch is opened with its envelope count, one official keys every paper, a second
official keys the batch again without seeing the first keying, a coordinator resolves every paper on which the two
disagree, and only then is the batch reconciled into counted ballots. Spoiled papers, and papers that break the
rules, are stored with their reason (status `spoiled` or `invalid`); none is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import new_receipt
from ballots.errors import Forbidden, InvalidBallot
from ballots.intake.common import BallotInput, ballot_id_of, check_ballot, content_json
from ballots.store import repository as repo
from ballots.store.models import BallotRow, ElectionRow, KioskRow, PaperBatchRow, PaperEntryRow, StaffTokenRow
from pbvote.canonical import JsonValue, canonical_json
from pbvote.election import Election
from pbvote.errors import ConflictError, InvalidElection, NotFound

__all__ = ["Mismatch", "PaperContent", "key_paper", "mismatches", "open_batch", "reconcile_batch", "resolve_paper"]

_KEYINGS = 2
_RESOLUTION = 3


@dataclass(frozen=True, slots=True)
class PaperContent:
    """What one paper says, as keyed: the ballot, or the reason it is spoiled (torn, blank, two ballots...)."""

    ballot: BallotInput
    spoiled: str | None = None

    def canonical(self) -> str:
        """The keyed content as canonical JSON, so two keyings compare by text (approval order ignored)."""
        selections: list[JsonValue] = list(self.ballot.selections)
        if not self.ballot.points:
            selections = list[JsonValue](sorted(self.ballot.selections))
        return canonical_json(
            {
                "district": self.ballot.district,
                "selections": selections,
                "points": list[JsonValue](self.ballot.points),
                "spoiled": self.spoiled,
            }
        )


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A paper whose two keyings disagree or are not both done; `keyings` maps pass number to content."""

    seq: int
    problem: str
    keyings: dict[int, str]
    resolved: bool


async def open_batch(
    intake: Intake,
    staff: StaffTokenRow,
    election_id: int,
    *,
    label: str,
    envelope_count: int,
    kiosk_id: int | None,
) -> PaperBatchRow:
    """Open a batch of `envelope_count` papers (numbered 1 to `envelope_count`)."""
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
        if row.status not in {"open", "closed"}:
            raise ConflictError(f"election {election_id} is {row.status}; paper batches are keyed while open or closed")
        if envelope_count <= 0:
            raise InvalidElection(f"envelope_count must be positive, not {envelope_count}")
        if kiosk_id is not None:
            kiosk = await session.get(KioskRow, kiosk_id)
            if kiosk is None or kiosk.election_id != election_id:
                raise NotFound(f"kiosk {kiosk_id} is not registered for election {election_id}")
        batch = PaperBatchRow(
            election_id=election_id, kiosk_id=kiosk_id, label=label, envelope_count=envelope_count, status="open"
        )
        session.add(batch)
        await session.flush()
        await repo.add_audit(
            session,
            staff,
            "paper.open-batch",
            election_id,
            canonical_json({"batch": batch.id, "envelopes": envelope_count}),
        )
    return batch


async def _batch(session: AsyncSession, election_id: int, batch_id: int) -> PaperBatchRow:
    batch = await session.get(PaperBatchRow, batch_id, with_for_update=True)
    if batch is None or batch.election_id != election_id:
        raise NotFound(f"paper batch {batch_id} is not in election {election_id}")
    if batch.status != "open":
        raise ConflictError(f"paper batch {batch_id} is {batch.status}; it no longer changes")
    return batch


async def _entries(session: AsyncSession, batch_id: int) -> dict[int, dict[int, PaperEntryRow]]:
    rows = (await session.execute(select(PaperEntryRow).where(PaperEntryRow.batch_id == batch_id))).scalars().all()
    by_seq: dict[int, dict[int, PaperEntryRow]] = {}
    for entry in rows:
        by_seq.setdefault(entry.seq, {})[entry.pass_no] = entry
    return by_seq


async def key_paper(
    intake: Intake, staff: StaffTokenRow, election_id: int, batch_id: int, *, seq: int, content: PaperContent
) -> int:
    """Key one paper; the first official to key it makes pass 1, another official pass 2. Returns the pass number.

    An official who keys the same paper again corrects their own pass. The answer never shows the other pass.
    """
    async with intake.sessions.begin() as session:
        batch = await _batch(session, election_id, batch_id)
        if not 1 <= seq <= batch.envelope_count:
            raise InvalidElection(f"paper {seq} is outside batch {batch_id}'s envelopes 1 to {batch.envelope_count}")
        passes = (await _entries(session, batch_id)).get(seq, {})
        mine = [entry for number, entry in passes.items() if number < _RESOLUTION and entry.staff_id == staff.id]
        if mine:
            mine[0].content = content.canonical()
            number = mine[0].pass_no
        elif len([n for n in passes if n < _RESOLUTION]) >= _KEYINGS:
            raise ConflictError(f"paper {seq} of batch {batch_id} has been keyed by two officials already")
        else:
            number = 1 if 1 not in passes else 2
            session.add(
                PaperEntryRow(
                    batch_id=batch_id, seq=seq, pass_no=number, staff_id=staff.id, content=content.canonical()
                )
            )
        await repo.flush_or_conflict(session, f"paper {seq} was keyed concurrently; key it again")
        await repo.add_audit(
            session, staff, "paper.key", election_id, canonical_json({"batch": batch_id, "seq": seq, "pass": number})
        )
    return number


def _problems(envelope_count: int, by_seq: dict[int, dict[int, PaperEntryRow]]) -> list[Mismatch]:
    found = []
    for seq in range(1, envelope_count + 1):
        passes = by_seq.get(seq, {})
        keyings = {n: e.content for n, e in sorted(passes.items())}
        resolved = _RESOLUTION in passes
        if 1 not in passes or _KEYINGS not in passes:
            missing = " and ".join(f"pass {n}" for n in (1, _KEYINGS) if n not in passes)
            found.append(Mismatch(seq, f"{missing} not keyed", keyings, resolved))
        elif passes[1].content != passes[2].content:
            found.append(Mismatch(seq, "the two keyings differ", keyings, resolved))
    return found


async def mismatches(intake: Intake, election_id: int, batch_id: int) -> list[Mismatch]:
    """Every paper of the batch whose keyings disagree or are missing, for the coordinator."""
    async with intake.sessions.begin() as session:
        batch = await session.get(PaperBatchRow, batch_id)
        if batch is None or batch.election_id != election_id:
            raise NotFound(f"paper batch {batch_id} is not in election {election_id}")
        return _problems(batch.envelope_count, await _entries(session, batch_id))


async def resolve_paper(
    intake: Intake, staff: StaffTokenRow, election_id: int, batch_id: int, *, seq: int, content: PaperContent
) -> None:
    """The coordinator's reading of a paper, which overrides both keyings."""
    async with intake.sessions.begin() as session:
        batch = await _batch(session, election_id, batch_id)
        if not 1 <= seq <= batch.envelope_count:
            raise InvalidElection(f"paper {seq} is outside batch {batch_id}'s envelopes 1 to {batch.envelope_count}")
        passes = (await _entries(session, batch_id)).get(seq, {})
        if _RESOLUTION in passes:
            passes[_RESOLUTION].content = content.canonical()
            passes[_RESOLUTION].staff_id = staff.id
        else:
            session.add(
                PaperEntryRow(
                    batch_id=batch_id, seq=seq, pass_no=_RESOLUTION, staff_id=staff.id, content=content.canonical()
                )
            )
        await repo.flush_or_conflict(session, f"paper {seq} was resolved concurrently; resolve it again")
        await repo.add_audit(
            session, staff, "paper.resolve", election_id, canonical_json({"batch": batch_id, "seq": seq})
        )


async def reconcile_batch(intake: Intake, staff: StaffTokenRow, election_id: int, batch_id: int) -> dict[str, int]:
    """Turn a fully keyed and resolved batch into ballots; returns how many are counted, spoiled and invalid.

    Raises:
        ConflictError: some paper is missing a keying or has an unresolved mismatch (listed).
    """
    if staff.role != "admin":
        raise Forbidden("only a coordinator (admin) reconciles a batch")
    async with intake.sessions.begin() as session:
        batch = await _batch(session, election_id, batch_id)
        election_row = await repo.get_election(session, election_id)
        election = intake.election(election_row)
        by_seq = await _entries(session, batch_id)
        open_problems = [m for m in _problems(batch.envelope_count, by_seq) if not m.resolved]
        if open_problems:
            listed = ", ".join(f"{m.seq} ({m.problem})" for m in open_problems)
            raise ConflictError(f"batch {batch_id} cannot be reconciled; unresolved papers: {listed}")
        counts = {"counted": 0, "spoiled": 0, "invalid": 0}
        for seq in range(1, batch.envelope_count + 1):
            passes = by_seq[seq]
            final = passes.get(_RESOLUTION, passes[1]).content
            paper = _paper_row(election, election_row, batch, json.loads(final))
            counts[paper.status] += 1
            session.add(paper)
        batch.status = "reconciled"
        await session.flush()
        await repo.add_audit(
            session, staff, "paper.reconcile", election_id, canonical_json({"batch": batch_id, **counts})
        )
    return counts


def _paper_row(election: Election, row: ElectionRow, batch: PaperBatchRow, content: dict[str, object]) -> BallotRow:
    ballot = BallotInput(tuple(content["selections"]), tuple(content["points"]), content["district"])  # type: ignore[arg-type]
    status, reason, selections, points = "counted", None, "[]", "[]"
    if content["spoiled"] is not None:
        status, reason = "spoiled", str(content["spoiled"])
    else:
        try:
            checked = check_ballot(election, ballot, None)
            selections, points = content_json(election, checked)
        except InvalidBallot as exc:
            status, reason = "invalid", "; ".join(exc.reasons)
    if status != "counted":
        selections, points = json.dumps(list(ballot.selections)), json.dumps(list(ballot.points))
    ballot_id = ballot_id_of(row, new_receipt())  # nobody holds a paper ballot's code; its id is random
    assert ballot_id is not None  # noqa: S101 -- batches are keyed after opening, when the hash is set
    values = repo.BallotValues(
        row.id,
        None,
        ballot_id,
        "paper",
        status,
        ballot.district,
        selections,
        points,
        reason,
        batch.kiosk_id,
        batch.id,
    )
    return BallotRow(**values.as_row())
