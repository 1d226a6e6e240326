"""Kiosks: officials check residents in, enter their ballots, and sync ballots queued while offline.

Policy when a resident uses both channels (the first channel wins, decided by the unique voter link):
- checked in at a kiosk first: online submissions are refused from then on (409), even before the kiosk
  ballot is entered;
- voted online first: the check-in is refused (409) and the online ballot stands; if the election allows
  re-voting, the resident changes it online.
A check-in is a `pending` row in `ballots` holding the voter link; entering the ballot fills that row in, so the
database's one-row-per-voter constraint covers both channels and a check-in racing an online vote leaves one.
Rows hold the published `ballot_id` of the check-in code (the future receipt), never the code. A ballot queued
offline gets a receipt derived from its kiosk and UUID (`queued_receipt`), so a resent queue answers it again.
What a resident declares (gender, age group: `ballots.participation`) is recorded at check-in, or with a queued
ballot, in the same transaction as the check-in row, never on the ballot row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import new_receipt, queued_receipt
from ballots.errors import InvalidBallot
from ballots.intake.common import (
    BallotInput,
    Credential,
    ballot_id_of,
    check_ballot,
    check_open,
    content_json,
    identify,
    voter_link,
)
from ballots.participation import Profile, participation_of, record_participation
from ballots.store import repository as repo
from ballots.store.models import ElectionRow, KioskRow, StaffTokenRow
from pbvote.canonical import canonical_json
from pbvote.errors import ConflictError, NotFound, PbvoteError

__all__ = ["QueuedBallot", "SyncResult", "check_in", "enter_ballot", "sync_queue"]


@dataclass(frozen=True, slots=True)
class QueuedBallot:
    """A ballot a kiosk took while offline: the resident's credential, the ballot, and the kiosk's UUID for it."""

    uuid: str
    credential: Credential
    ballot: BallotInput


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What became of one queued ballot: `accepted`, `duplicate` (synced before) or `rejected` with the reason."""

    uuid: str
    status: str
    receipt: str | None = None
    reason: str | None = None


async def _kiosk(session: AsyncSession, election_id: int, kiosk_id: int) -> tuple[ElectionRow, KioskRow]:
    row = await repo.get_election(session, election_id, share_lock=True)
    kiosk = await session.get(KioskRow, kiosk_id)
    if kiosk is None or kiosk.election_id != election_id:
        raise NotFound(f"kiosk {kiosk_id} is not registered for election {election_id}")
    check_open(row)
    return row, kiosk


def _conflict(channel: str | None) -> ConflictError:
    if channel == "online":
        return ConflictError("this resident has already voted online; the online ballot stands")
    return ConflictError("this resident has already checked in or voted at a kiosk")


async def check_in(
    intake: Intake,
    staff: StaffTokenRow,
    election_id: int,
    kiosk_id: int,
    credential: Credential,
    *,
    profile: Profile = Profile(),  # noqa: B008 -- immutable (frozen dataclass)
) -> str:
    """Check a resident in; returns the check-in code the kiosk enters the ballot under (it becomes the receipt).

    The resident's participation, with what they declared (`profile`), is recorded in the same transaction.

    Raises:
        ConflictError: the resident voted online or checked in before.
    """
    async with intake.sessions.begin() as session:
        row, kiosk = await _kiosk(session, election_id, kiosk_id)
        voter = await identify(intake, session, row, credential, kiosk.id)
        link = voter_link(intake, election_id, voter)
        receipt = new_receipt()
        ballot_id = ballot_id_of(row, receipt)
        assert ballot_id is not None  # noqa: S101 -- an open election has its hash; new receipts are well formed
        values = repo.BallotValues(
            election_id, link, ballot_id, "kiosk", "pending", voter.district, "[]", "[]", kiosk_id=kiosk.id
        )
        if not await repo.insert_ballot(session, values, replace=False):
            existing = await repo.voter_ballot(session, election_id, link)
            raise _conflict(existing.channel if existing is not None else None)
        participation = participation_of(intake.secret, row, voter, "kiosk", voter.district, profile)
        await record_participation(session, [participation])
        await repo.add_audit(session, staff, "kiosk.check-in", election_id, canonical_json({"kiosk": kiosk.id}))
    return receipt


async def enter_ballot(
    intake: Intake, staff: StaffTokenRow, election_id: int, kiosk_id: int, *, checkin: str, ballot: BallotInput
) -> str:
    """Enter the ballot of a checked-in resident; returns its receipt.

    `ballot.profile` is not read: what the resident declared was recorded at check-in.

    Raises:
        InvalidBallot: the ballot breaks the rules (every reason).
        ConflictError: no check-in with this code is waiting for a ballot at this kiosk.
    """
    async with intake.sessions.begin() as session:
        row, kiosk = await _kiosk(session, election_id, kiosk_id)
        ballot_id = ballot_id_of(row, checkin)
        pending = None if ballot_id is None else await repo.ballot_by_id(session, election_id, ballot_id)
        if pending is None or pending.kiosk_id != kiosk.id or pending.status != "pending":
            raise ConflictError(f"no check-in {checkin!r} is waiting for a ballot at kiosk {kiosk.id}")
        election = intake.election(row)
        checked = check_ballot(election, ballot, pending.district)
        selections, points = content_json(election, checked)
        values = repo.BallotValues(
            election_id, None, pending.ballot_id, "kiosk", "counted", checked.district, selections, points
        )
        if not await repo.enter_checked_in(session, election_id, pending.ballot_id, values):
            raise ConflictError(f"check-in {checkin!r} already has its ballot")
        await repo.add_audit(session, staff, "kiosk.ballot", election_id, canonical_json({"kiosk": kiosk.id}))
    return checkin


async def sync_queue(
    intake: Intake, staff: StaffTokenRow, election_id: int, kiosk_id: int, queue: Sequence[QueuedBallot]
) -> list[SyncResult]:
    """Store the ballots a kiosk queued offline, each in its own transaction.

    A UUID synced before is not stored again, so a kiosk may resend its whole queue.
    """
    return [await _sync_one(intake, staff, election_id, kiosk_id, item) for item in queue]


async def _sync_one(
    intake: Intake, staff: StaffTokenRow, election_id: int, kiosk_id: int, item: QueuedBallot
) -> SyncResult:
    receipt = queued_receipt(intake.secret, kiosk_id, item.uuid)
    async with intake.sessions.begin() as session:
        before = await repo.ballot_by_uuid(session, kiosk_id, item.uuid)
    if before is not None:
        return SyncResult(item.uuid, "duplicate", receipt)
    try:
        async with intake.sessions.begin() as session:
            row, kiosk = await _kiosk(session, election_id, kiosk_id)
            voter = await identify(intake, session, row, item.credential, kiosk.id)
            election = intake.election(row)
            checked = check_ballot(election, item.ballot, voter.district)
            selections, points = content_json(election, checked)
            link = voter_link(intake, election_id, voter)
            ballot_id = ballot_id_of(row, receipt)
            assert ballot_id is not None  # noqa: S101 -- an open election has its hash; derived receipts are well formed
            values = repo.BallotValues(
                election_id,
                link,
                ballot_id,
                "kiosk",
                "counted",
                checked.district,
                selections,
                points,
                kiosk_id=kiosk.id,
                client_uuid=item.uuid,
            )
            if not await repo.insert_ballot(session, values, replace=False):
                existing = await repo.voter_ballot(session, election_id, link)
                if existing is not None and existing.client_uuid == item.uuid:
                    return SyncResult(item.uuid, "duplicate", receipt)
                raise _conflict(existing.channel if existing is not None else None)
            participation = participation_of(intake.secret, row, voter, "kiosk", checked.district, item.ballot.profile)
            await record_participation(session, [participation])
            await repo.add_audit(
                session, staff, "kiosk.sync", election_id, canonical_json({"kiosk": kiosk.id, "uuid": item.uuid})
            )
    except InvalidBallot as exc:
        return SyncResult(item.uuid, "rejected", reason="; ".join(exc.reasons))
    except PbvoteError as exc:
        return SyncResult(item.uuid, "rejected", reason=str(exc))
    return SyncResult(item.uuid, "accepted", receipt)
