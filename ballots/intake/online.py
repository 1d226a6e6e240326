"""A resident's own ballot, submitted online with a credential.

The path is one transaction: claim the idempotency key, read the election (share-locked against closing),
identify the voter, check the ballot, insert it. The database's unique constraint on the voter link decides a
race between two submissions; nothing is checked first and inserted after. A 201 is answered only after commit.
The transaction may be shared with concurrent submissions (`ballots.store.group_commit`): a submission that fails
writes nothing and gets the answer it would have had alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import keyed_hash, new_receipt
from ballots.errors import CredentialRejected, InvalidBallot, RateLimited
from ballots.intake.common import (
    BallotInput,
    Credential,
    admit,
    check_ballot,
    check_open,
    content_json,
    limit_keys,
    voter_link,
)
from ballots.participation import Participation, participation_of, participation_row, record_participation
from ballots.store import bulk
from ballots.store import repository as repo
from ballots.store.group_commit import Outcome, Work
from ballots.store.models import ElectionRow, IdempotencyRow, RollEntry
from pbvote.canonical import JsonValue, canonical_json
from pbvote.election import Election
from pbvote.errors import ConflictError, NotFound
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
    if idempotency_key is None:
        return await _submit(intake, election_id, credential, ballot, key=None, digest="")
    digest = _request_digest(intake, credential, ballot)
    # a second request with this key while the first is in flight (a double click) waits for its answer here
    async with intake.key_locks.hold((election_id, idempotency_key)):
        try:  # a key answered before is replayed inside the ballot's own transaction (in a batch, one lookup for all)
            return await _submit(intake, election_id, credential, ballot, key=idempotency_key, digest=digest)
        except _KeyTaken:
            stored = await _replay(intake, election_id, idempotency_key, digest)
            assert stored is not None  # noqa: S101 -- the winner committed before our insert returned
            return stored


def _request_digest(intake: Intake, credential: Credential, ballot: BallotInput) -> str:
    """What an idempotency key is bound to: a retry must send the same credential and ballot."""
    request: dict[str, JsonValue] = {
        "credential": [credential.kind, credential.value, credential.birth_year],
        "ballot": [list[JsonValue](ballot.selections), list[JsonValue](ballot.points), ballot.district],
        "profile": [ballot.profile.gender, ballot.profile.age_group],
    }
    return keyed_hash(intake.secret, "request", canonical_json(request))


async def _replay(intake: Intake, election_id: int, key: str, digest: str) -> Answer | None:
    async with intake.sessions.begin() as session:
        row = await repo.find_idempotent(session, election_id, key)
    return None if row is None else _replayed(row, digest)


def _replayed(row: IdempotencyRow, digest: str) -> Answer:
    """The answer stored under an idempotency key, for a retry of the same request.

    Raises:
        ConflictError: the key was used for a different request.
    """
    if row.request_digest != digest:
        raise ConflictError("this Idempotency-Key was already used for a different ballot")
    return Answer(row.status_code, json.loads(row.body), replayed=True)


@dataclass(frozen=True, slots=True, eq=False)
class _Submission:
    """One online ballot waiting for its batch."""

    intake: Intake
    election_id: int
    credential: Credential
    ballot: BallotInput
    key: str | None
    digest: str
    receipt: str


async def _submit(
    intake: Intake, election_id: int, credential: Credential, ballot: BallotInput, *, key: str | None, digest: str
) -> Answer:
    # concurrent submissions share one commit; the answer comes once the commit holding this ballot is done
    submission = _Submission(intake, election_id, credential, ballot, key, digest, new_receipt())
    return await intake.ballot_writes.run_item(_ONLINE_BALLOTS, submission)


@dataclass(frozen=True, slots=True, eq=False)
class _Checked:
    """A submission that passed every check, ready to insert."""

    index: int
    submission: _Submission
    voter: RollEntry
    values: repo.BallotValues
    body: dict[str, JsonValue]


class _OnlineBallots:
    """The batcher of online ballots (`ballots.store.group_commit.Batcher`): a batch costs a few statements in all.

    Per election in the batch: the shared lock; one lookup of the idempotency keys (if any); one statement for the
    election's status and every credential (`IN`); then one INSERT of the ballots with their keys and participation
    (`bulk.insert_online_ballots`). The checks run in the order the submissions came, with the failure limiter
    counting as it would one by one. A submission whose answer depends on another of the same batch (the same voter,
    or the same idempotency key, twice) is run alone after it. A key claimed meanwhile by a concurrent transaction
    (another process: `submit_online` keeps this one from racing itself) fails the batch's insert, and the batch runs
    again one submission at a time. Alone, a submission claims its key inside a SAVEPOINT instead, and a key taken
    meanwhile gets that request's answer replayed. It holds no state: each submission carries its intake.
    """

    def alone(self, item: _Submission) -> Work[Answer]:
        """The submission on its own: a batch of one, in its own transaction."""

        async def store(session: AsyncSession) -> Answer:
            (outcome,) = await self._run(session, [item], alone=True)
            if outcome.error is not None:
                raise outcome.error
            if outcome.again:  # alone, only a key claimed meanwhile by a concurrent request sends it back
                raise _KeyTaken
            assert outcome.value is not None  # noqa: S101 -- an outcome is a value, an error or again
            return outcome.value

        return store

    async def run_many(self, session: AsyncSession, items: Sequence[_Submission]) -> list[Outcome[Answer]]:
        """Every submission's outcome, as if each were alone (see the class)."""
        return await self._run(session, items, alone=False)

    async def _run(self, session: AsyncSession, items: Sequence[_Submission], *, alone: bool) -> list[Outcome[Answer]]:
        outcomes: list[Outcome[Answer] | None] = [None] * len(items)
        by_election: dict[int, list[int]] = {}
        for index, item in enumerate(items):
            by_election.setdefault(item.election_id, []).append(index)
        for election_id, indexes in by_election.items():
            await self._run_election(session, election_id, [(i, items[i]) for i in indexes], outcomes, alone=alone)
        return [outcome if outcome is not None else Outcome(again=True) for outcome in outcomes]

    async def _run_election(
        self,
        session: AsyncSession,
        election_id: int,
        items: list[tuple[int, _Submission]],
        outcomes: list[Outcome[Answer] | None],
        *,
        alone: bool,
    ) -> None:
        # the lock first, alone in its statement: the status is read by a later statement, whose snapshot is taken
        # once the lock is held, so a close that committed before is seen
        await repo.lock_election(session, election_id, shared=True)
        answered = await bulk.find_idempotents(session, election_id, [i.key for _, i in items if i.key is not None])
        if answered:
            items = self._replay_answered(items, answered, outcomes)
        hashes = {index: item.credential.hashed(item.intake.secret, election_id) for index, item in items}
        found = await bulk.election_and_voters(session, election_id, list(hashes.values()))
        if found is None:
            for index, _ in items:
                outcomes[index] = Outcome(error=NotFound(f"election {election_id} does not exist"))
            return
        row, voters = found
        if items and row.status == "open" and not items[0][1].intake.knows(row):
            row.definition = await bulk.election_definition(session, row.id)  # once per election and server: then kept
        checked: list[_Checked] = []
        links: set[str] = set()
        keys: set[str] = set()
        for index, item in items:
            try:
                ready = self._check(row, item, index, hashes[index], voters)
            except (InvalidBallot, CredentialRejected, RateLimited) as exc:
                outcomes[index] = Outcome(error=exc)
                continue
            link = ready.values.voter_link
            assert link is not None  # noqa: S101 -- an online ballot has its voter
            if link in links or (item.key is not None and item.key in keys):
                continue  # answered by the run alone after this batch (outcome left as None: again)
            links.add(link)
            if item.key is not None:
                keys.add(item.key)
            checked.append(ready)
        # rows in a fixed order (by voter, then by key), so concurrent batches lock them in the same order
        checked.sort(key=lambda c: str(c.values.voter_link))
        if alone:
            await self._insert_alone(session, row, checked, outcomes)
        else:
            await self._insert(session, row, checked, outcomes)

    @staticmethod
    def _replay_answered(
        items: list[tuple[int, _Submission]],
        answered: dict[str, IdempotencyRow],
        outcomes: list[Outcome[Answer] | None],
    ) -> list[tuple[int, _Submission]]:
        """Answer the retries of requests answered before; the others remain to be checked."""
        remaining = []
        for index, item in items:
            row = answered.get(item.key) if item.key is not None else None
            if row is None:
                remaining.append((index, item))
                continue
            try:
                outcomes[index] = Outcome(value=_replayed(row, item.digest))
            except ConflictError as exc:
                outcomes[index] = Outcome(error=exc)
        return remaining

    def _check(
        self, row: ElectionRow, item: _Submission, index: int, hashed: str, voters: Mapping[str, RollEntry]
    ) -> _Checked:
        check_open(row)
        intake = item.intake
        keys = limit_keys(hashed)
        intake.limiter.check(keys)
        voter = admit(intake, row, item.credential, voters.get(hashed), keys)
        values, body = _ballot_values(intake, row, intake.election(row), voter, item)
        return _Checked(index, item, voter, values, body)

    async def _insert(
        self, session: AsyncSession, row: ElectionRow, checked: list[_Checked], outcomes: list[Outcome[Answer] | None]
    ) -> None:
        """Insert the checked ballots with their keys and participation: one statement (on SQLite one per table)."""
        keyed = [
            (str(c.values.voter_link), c.submission.key, c.submission.digest, canonical_json(c.body))
            for c in checked
            if c.submission.key is not None
        ]
        participants = [
            (str(c.values.voter_link), participation_row(_participation(row, c.voter, c.submission, c.values)))
            for c in checked
        ]
        stored = await bulk.insert_online_ballots(
            session,
            row.id,
            [c.values for c in checked],
            keys=keyed,
            participants=participants,
            replace=row.allow_revote,
        )
        await self._answer(session, row, checked, stored, outcomes)

    async def _insert_alone(
        self, session: AsyncSession, row: ElectionRow, checked: list[_Checked], outcomes: list[Outcome[Answer] | None]
    ) -> None:
        """Insert the checked ballots and their keys; a key taken meanwhile sends its submission back (again)."""
        while checked:
            async with session.begin_nested() as savepoint:
                stored = await bulk.insert_ballots(session, [c.values for c in checked], replace=row.allow_revote)
                winners = [c for c in checked if c.values.voter_link in stored]
                answers = [(c.submission.key, c.submission.digest, canonical_json(c.body)) for c in winners]
                keyed = [(key, digest, body) for key, digest, body in answers if key is not None]
                claimed = await bulk.insert_idempotents(session, row.id, keyed)
                taken = {key for key, _, _ in keyed} - claimed
                if taken:
                    await savepoint.rollback()
                    checked = [c for c in checked if c.submission.key not in taken]  # the taken ones: again
                    continue
                await record_participation(
                    session, [_participation(row, c.voter, c.submission, c.values) for c in winners]
                )
            await self._answer(session, row, checked, stored, outcomes)
            return

    @staticmethod
    async def _answer(
        session: AsyncSession,
        row: ElectionRow,
        checked: list[_Checked],
        stored: set[str],
        outcomes: list[Outcome[Answer] | None],
    ) -> None:
        """A 201 for each ballot stored; for the others, why their voter's row stood."""
        losers = [c for c in checked if c.values.voter_link not in stored]
        channels = await bulk.voter_channels(session, row.id, [str(c.values.voter_link) for c in losers])
        for ready in losers:
            outcomes[ready.index] = Outcome(error=_already_voted(channels.get(str(ready.values.voter_link))))
        for ready in checked:
            if ready.values.voter_link in stored:
                outcomes[ready.index] = Outcome(value=Answer(201, ready.body))


_ONLINE_BALLOTS = _OnlineBallots()


def _participation(row: ElectionRow, voter: RollEntry, item: _Submission, values: repo.BallotValues) -> Participation:
    """Who took part (counted once per resident, a re-vote adds nothing), apart from the ballot."""
    return participation_of(item.intake.secret, row, voter, "online", values.district, item.ballot.profile)


def _ballot_values(
    intake: Intake, row: ElectionRow, election: Election, voter: RollEntry, item: _Submission
) -> tuple[repo.BallotValues, dict[str, JsonValue]]:
    """The ballot's row and the answer's body.

    Raises:
        InvalidBallot: the ballot breaks the election's rules.
    """
    checked = check_ballot(election, item.ballot, voter.district)
    body: dict[str, JsonValue] = {
        "receipt": item.receipt,
        "election_id": row.id,
        "district": checked.district,
        "channel": "online",
        "election_hash": row.election_hash,
    }
    link = voter_link(intake, row.id, voter)
    selections, points = content_json(election, checked)
    assert row.election_hash is not None  # noqa: S101 -- an open election has its hash
    ballot_id = receipt_ballot_id(row.election_hash, item.receipt)  # published; the code itself is never stored
    values = repo.BallotValues(row.id, link, ballot_id, "online", "counted", checked.district, selections, points)
    return values, body


def _already_voted(channel: str | None) -> ConflictError:
    if channel is not None and channel != "online":
        return ConflictError("this resident checked in at a kiosk and votes there, not online")
    return ConflictError("this resident has already voted; this election does not allow changing a ballot")
