"""A resident's own ballot, submitted online with a credential.

The path is one transaction: claim the idempotency key, read the election (share-locked against closing),
identify the voter, check the ballot, insert it. The database's unique constraint on the voter link decides a
race between two submissions; nothing is checked first and inserted after. A 201 is answered only after commit.
The transaction may be shared with concurrent submissions (`ballots.store.group_commit`), each in its own
SAVEPOINT: a submission that fails rolls back only its own writes and gets the answer it would have had alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import keyed_hash, new_receipt
from ballots.intake.common import BallotInput, Credential, check_ballot, check_open, content_json, identify, voter_link
from ballots.store import repository as repo
from pbvote.canonical import JsonValue, canonical_json
from pbvote.errors import ConflictError
from pbvote.record.receipts import receipt_ballot_id

__all__ = ["Answer", "submit_online"]


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to a submission: the HTTP status and the JSON body (stored for idempotent retries)."""

    status_code: int
    body: dict[str, JsonValue]
    replayed: bool = False


class _KeyTaken(Exception):
    """A concurrent request with the same idempotency key committed first."""


async def submit_online(
    intake: Intake, election_id: int, credential: Credential, ballot: BallotInput, idempotency_key: str | None = None
) -> Answer:
    """Store a resident's ballot and return its receipt.

    Raises:
        InvalidBallot: the election is not open, or the ballot breaks its rules (every reason).
        CredentialRejected: the credential is not on the roll or the resident is not eligible.
        RateLimited: too many failures with this credential.
        ConflictError: the resident has voted (and re-voting is off) or checked in at a kiosk; or the idempotency
            key was used for a different request.
    """
    request: dict[str, JsonValue] = {
        "credential": [credential.kind, credential.value, credential.birth_year],
        "ballot": [list[JsonValue](ballot.selections), list[JsonValue](ballot.points), ballot.district],
    }
    digest = keyed_hash(intake.secret, "request", canonical_json(request))
    if idempotency_key is not None:
        stored = await _replay(intake, election_id, idempotency_key, digest)
        if stored is not None:
            return stored
    try:
        return await _submit(intake, election_id, credential, ballot, key=idempotency_key, digest=digest)
    except _KeyTaken:
        assert idempotency_key is not None  # noqa: S101 -- only raised for a key
        stored = await _replay(intake, election_id, idempotency_key, digest)
        assert stored is not None  # noqa: S101 -- the winner committed before our insert returned
        return stored


async def _replay(intake: Intake, election_id: int, key: str, digest: str) -> Answer | None:
    async with intake.sessions.begin() as session:
        row = await repo.find_idempotent(session, election_id, key)
    if row is None:
        return None
    if row.request_digest != digest:
        raise ConflictError("this Idempotency-Key was already used for a different ballot")
    return Answer(row.status_code, json.loads(row.body), replayed=True)


async def _submit(
    intake: Intake, election_id: int, credential: Credential, ballot: BallotInput, *, key: str | None, digest: str
) -> Answer:
    receipt = new_receipt()

    async def store(session: AsyncSession) -> Answer:
        row = await repo.get_election(session, election_id, share_lock=True)
        check_open(row)
        election = intake.election(row)
        voter = await identify(intake, session, row, credential)
        checked = check_ballot(election, ballot, voter.district)
        body: dict[str, JsonValue] = {
            "receipt": receipt,
            "election_id": election_id,
            "district": checked.district,
            "channel": "online",
            "election_hash": row.election_hash,
        }
        if key is not None and not await repo.insert_idempotent(
            session, election_id, key, digest=digest, status_code=201, body=canonical_json(body)
        ):
            raise _KeyTaken
        link = voter_link(intake, election_id, voter)
        selections, points = content_json(election, checked)
        assert row.election_hash is not None  # noqa: S101 -- an open election has its hash
        ballot_id = receipt_ballot_id(row.election_hash, receipt)  # published; the code itself is never stored
        values = repo.BallotValues(
            election_id, link, ballot_id, "online", "counted", checked.district, selections, points
        )
        if not await repo.insert_ballot(session, values, replace=row.allow_revote):
            existing = await repo.voter_ballot(session, election_id, link)
            if existing is not None and existing.channel != "online":
                raise ConflictError("this resident checked in at a kiosk and votes there, not online")
            raise ConflictError("this resident has already voted; this election does not allow changing a ballot")
        return Answer(201, body)

    # concurrent submissions share one commit; the answer comes once the commit holding this ballot is done
    return await intake.ballot_writes.run(store)
