"""What every intake channel shares: credentials, eligibility, ballot checks against the roll."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import keyed_hash
from ballots.elections import census_hash, code_hash
from ballots.errors import CredentialRejected, FieldReason, InvalidBallot
from ballots.participation import Profile
from ballots.store import repository as repo
from ballots.store.models import ElectionRow, RollEntry
from ballots.validation import field_reasons
from pbvote.ballot import Ballot, VoteType
from pbvote.election import Election
from pbvote.project import ProjectId
from pbvote.record.receipts import receipt_ballot_id

__all__ = [
    "BallotInput",
    "Credential",
    "admit",
    "ballot_id_of",
    "check_ballot",
    "check_open",
    "content_json",
    "identify",
    "limit_keys",
    "voter_link",
]


@dataclass(frozen=True, slots=True)
class Credential:
    """How a resident proves they are on the roll: a voting code, or a census identifier with the birth year."""

    kind: Literal["code", "census"]
    value: str
    birth_year: int | None = None

    def hashed(self, secret: bytes, election_id: int) -> str:
        """The roll's keyed hash of this credential."""
        if self.kind == "code":
            return code_hash(secret, election_id, self.value)
        return census_hash(secret, election_id, self.value)


@dataclass(frozen=True, slots=True)
class BallotInput:
    """A ballot as a resident or an official submits it."""

    selections: tuple[str, ...]
    points: tuple[int, ...] = ()
    district: str | None = None
    profile: Profile = Profile()  # noqa: RUF009 -- immutable (a frozen dataclass), safe to share


def ballot_id_of(row: ElectionRow, code: str) -> str | None:
    """The published `ballot_id` of the ballot with this receipt (or check-in) code; `None` for a malformed code."""
    if row.election_hash is None:
        return None
    try:
        return receipt_ballot_id(row.election_hash, code)
    except ValueError:
        return None


def check_open(row: ElectionRow) -> None:
    """Refuse ballots when the election is not open.

    Raises:
        InvalidBallot: naming the election's state.
    """
    if row.status != "open":
        raise InvalidBallot([FieldReason("election", "not-open", f"election {row.id} is {row.status}, not open")])


async def identify(
    intake: Intake, session: AsyncSession, row: ElectionRow, credential: Credential, kiosk: int | None = None
) -> RollEntry:
    """The roll entry behind a credential, counting failures per credential and per kiosk.

    Raises:
        RateLimited: after too many failures for this credential or kiosk.
        CredentialRejected: an unknown credential, a wrong birth year, or a resident not eligible.
    """
    hashed = credential.hashed(intake.secret, row.id)
    keys = limit_keys(hashed, kiosk)
    intake.limiter.check(keys)
    return admit(intake, row, credential, await repo.find_voter(session, row.id, hashed), keys)


def limit_keys(credential_hash: str, kiosk: int | None = None) -> list[tuple[str, str]]:
    """The keys failed attempts are counted under: the credential, and the kiosk it was tried at."""
    return [("credential", credential_hash)] + ([("kiosk", str(kiosk))] if kiosk is not None else [])


def admit(
    intake: Intake, row: ElectionRow, credential: Credential, voter: RollEntry | None, keys: list[tuple[str, str]]
) -> RollEntry:
    """The roll entry found for a credential (`voter`, `None` if none), if it lets the resident vote.

    Raises:
        CredentialRejected: an unknown credential (counted as a failure under `keys`), a wrong birth year (counted
            too), or a resident not eligible.
    """
    kind_word = "voting code" if credential.kind == "code" else "census identifier"
    if voter is None or voter.kind != credential.kind:
        intake.limiter.fail(keys)
        raise CredentialRejected(f"this {kind_word} is not on the roll of election {row.id}")
    if credential.kind == "census" and voter.birth_year is not None and credential.birth_year != voter.birth_year:
        intake.limiter.fail(keys)
        raise CredentialRejected("the birth year does not match the census")
    if _too_young(row, voter):
        raise CredentialRejected(f"residents must be at least {row.min_age} in {row.reference_year} to vote")
    return voter


def _too_young(row: ElectionRow, voter: RollEntry) -> bool:
    if row.min_age is None or row.reference_year is None:
        return False
    return voter.birth_year is None or row.reference_year - voter.birth_year < row.min_age


def voter_link(intake: Intake, election_id: int, voter: RollEntry) -> str:
    """The keyed hash tying a voter's ballot row to the roll, never published."""
    return keyed_hash(intake.secret, "link", election_id, voter.id)


def check_ballot(election: Election, ballot: BallotInput, roll_district: str | None) -> Ballot:
    """The ballot to store, checked against the rules and the voter's district on the roll.

    Raises:
        InvalidBallot: with every reason, field by field.
    """
    district = ballot.district if ballot.district is not None else roll_district
    candidate = Ballot("", tuple(ProjectId(p) for p in ballot.selections), ballot.points, district=district)
    reasons = field_reasons(election, candidate)
    if roll_district is not None and district != roll_district:
        message = f"the roll places this resident in district {roll_district!r}, not {district!r}"
        reasons.append(FieldReason("district", "not-your-district", message))
    if reasons:
        raise InvalidBallot(reasons)
    return candidate


def content_json(election: Election, ballot: Ballot) -> tuple[str, str]:
    """Selections and points as stored: approval-like ballots in sorted order (the order carries no meaning)."""
    pairs = list(zip(ballot.selections, ballot.points or [None] * len(ballot.selections), strict=True))
    if election.vote_type is not VoteType.ORDINAL:
        pairs.sort(key=lambda pair: pair[0])
    selections = [p for p, _ in pairs]
    points = [n for _, n in pairs if n is not None]
    return json.dumps(selections), json.dumps(points)
