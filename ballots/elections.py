"""Elections through their lifecycle, `draft -> open -> closed -> tallied`, and their voter roll.

The definition, the roll and the officials change only in `draft`; opening freezes the definition, the rule with
its options and the officials' public keys (`tally.record.freeze`) and publishes the frozen `election_hash`, the
SHA-256 of the record's `election.json`. Every staff action is appended to the audit log in the same transaction
as the change.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.credentials import keyed_hash, new_voting_code, normalize_code
from ballots.frozen import frozen_election, parse_rule_options
from ballots.record import build_and_store_record
from ballots.roll import parse_census
from ballots.store import repository as repo
from ballots.store.models import ElectionRow, KioskRow, StaffTokenRow, VoterRow
from pbvote.ballot import Ballot
from pbvote.canonical import JsonValue, canonical_json, election_to_json
from pbvote.election import Election
from pbvote.errors import ConflictError, InvalidElection, UnknownRule
from pbvote.project import ProjectId
from tally.registry import RULES, allocate

__all__ = [
    "MAX_AMOUNT",
    "MAX_TOTAL_COST",
    "census_hash",
    "check_amounts",
    "close_election",
    "code_hash",
    "create_election",
    "generate_codes",
    "import_census",
    "open_election",
    "parse_rule_options",
    "register_kiosk",
    "tally_election",
    "tally_profile",
]


MAX_AMOUNT = 10**15
"""The largest cost (in the election's counting unit): a thousand trillion cents is far beyond any city's."""
MAX_TOTAL_COST = 10**18
"""The largest budget, and sum of all costs: the rules add costs in 64-bit integers, exact below 2**63."""


def check_amounts(election: Election) -> None:
    """Refuse amounts the rules cannot add exactly (they would overflow 64-bit integers at tally time).

    Raises:
        InvalidElection: naming the project over `MAX_AMOUNT`, or the budget, district or total over `MAX_TOTAL_COST`.
    """
    if election.budget > MAX_TOTAL_COST:
        raise InvalidElection(f"budget {election.budget} is over the largest total, {MAX_TOTAL_COST}")
    for district, budget in election.districts.items():
        if budget > MAX_TOTAL_COST:
            raise InvalidElection(f"district {district!r}: budget {budget} is over the largest total, {MAX_TOTAL_COST}")
    for project in election.projects:
        if project.cost > MAX_AMOUNT:
            raise InvalidElection(
                f"project {project.id!r}: cost {project.cost} is over the largest amount, {MAX_AMOUNT}"
            )
    total = sum(project.cost for project in election.projects)
    if total > MAX_TOTAL_COST:
        raise InvalidElection(f"the projects' costs add up to {total}, over the largest total, {MAX_TOTAL_COST}")


async def create_election(
    intake: Intake,
    staff: StaffTokenRow | None,
    *,
    name: str,
    election: Election,
    rule: str,
    rule_options: Mapping[str, Any],
    allow_revote: bool = False,
    min_age: int | None = None,
    reference_year: int | None = None,
) -> ElectionRow:
    """Store a new election in `draft`.

    Raises:
        UnknownRule: when `rule` is not registered.
        InvalidRuleOptions: when the options are wrong.
        InvalidElection: when `min_age` is set without the `reference_year` ages are counted in, or an amount is
            too large to add exactly (`check_amounts`).
    """
    if rule not in RULES:
        raise UnknownRule(rule, sorted(RULES))
    parse_rule_options(rule_options)
    if min_age is not None and reference_year is None:
        raise InvalidElection("eligibility.min_age needs eligibility.reference_year, the year ages are counted in")
    check_amounts(election)
    row = ElectionRow(
        name=name,
        status="draft",
        definition=canonical_json(election_to_json(election)),
        rule=rule,
        rule_options=canonical_json(dict(rule_options)),
        allow_revote=allow_revote,
        min_age=min_age,
        reference_year=reference_year,
        created_at=repo.now(),
    )
    async with intake.sessions.begin() as session:
        session.add(row)
        await session.flush()
        await repo.add_audit(session, staff, "election.create", row.id, canonical_json({"name": name, "rule": rule}))
    return row


async def _transition(
    intake: Intake, staff: StaffTokenRow | None, election_id: int, before: str, after: str
) -> ElectionRow:
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
        values: dict[str, Any] = {}
        if after == "open":
            values = {"opened_at": repo.now()}
        elif after == "closed":
            values = {"closed_at": repo.now()}
        await repo.set_status(session, row, before, after, **values)
        if after == "open":
            # frozen under the status lock `set_status` holds: no official can be registered in between
            row.election_hash = (await frozen_election(intake, session, row)).hash
            await session.flush()
        await repo.add_audit(
            session, staff, f"election.{after}", election_id, canonical_json({"election_hash": row.election_hash})
        )
    return row


async def open_election(intake: Intake, staff: StaffTokenRow | None, election_id: int) -> ElectionRow:
    """Open voting: freeze the definition and publish its hash, then refresh the planner's statistics of the roll."""
    row = await _transition(intake, staff, election_id, "draft", "open")
    async with intake.sessions.begin() as session:
        await repo.analyze_roll(session)
    return row


async def close_election(intake: Intake, staff: StaffTokenRow | None, election_id: int) -> ElectionRow:
    """Close voting."""
    return await _transition(intake, staff, election_id, "open", "closed")


def code_hash(secret: bytes, election_id: int, code: str) -> str:
    """The roll's keyed hash of a voting code."""
    return keyed_hash(secret, "code", election_id, normalize_code(code))


def census_hash(secret: bytes, election_id: int, identifier: str) -> str:
    """The roll's keyed hash of a census identifier."""
    return keyed_hash(secret, "census", election_id, identifier.strip())


async def _draft(session: AsyncSession, election_id: int) -> ElectionRow:
    row = await repo.get_election(session, election_id, share_lock=True)
    if row.status != "draft":
        raise ConflictError(f"election {election_id} is {row.status}: the roll changes only while it is a draft")
    return row


async def import_census(intake: Intake, staff: StaffTokenRow | None, election_id: int, text: str) -> int:
    """Add a census CSV to the roll, stored as keyed hashes; returns the number of residents added.

    Raises:
        InvalidElection: a malformed line (named).
        ConflictError: the election is not a draft, or an identifier is already on the roll.
    """
    async with intake.sessions.begin() as session:
        row = await _draft(session, election_id)
        entries = parse_census(text, intake.election(row).districts)
        hashes = [census_hash(intake.secret, election_id, e.identifier) for e in entries]
        for entry, credential in zip(entries, hashes, strict=True):
            session.add(
                VoterRow(
                    election_id=election_id,
                    kind="census",
                    credential_hash=credential,
                    district=entry.district,
                    birth_year=entry.birth_year,
                )
            )
        await repo.flush_or_conflict(session, "an identifier of this census is already on the roll")
        await repo.add_audit(session, staff, "roll.census", election_id, canonical_json({"added": len(entries)}))
    return len(entries)


async def generate_codes(
    intake: Intake, staff: StaffTokenRow | None, election_id: int, count: int, district: str | None
) -> list[str]:
    """Make `count` single-use voting codes (shown once, stored only as keyed hashes).

    Raises:
        InvalidElection: an unknown district or a count out of range.
        ConflictError: the election is not a draft.
    """
    async with intake.sessions.begin() as session:
        row = await _draft(session, election_id)
        districts = intake.election(row).districts
        if district is not None and district not in districts:
            raise InvalidElection(f"district {district!r} is not in election {election_id}")
        codes = [new_voting_code() for _ in range(count)]
        for code in codes:
            session.add(
                VoterRow(
                    election_id=election_id,
                    kind="code",
                    credential_hash=code_hash(intake.secret, election_id, code),
                    district=district,
                    birth_year=None,
                )
            )
        await repo.flush_or_conflict(session, "two voting codes collided; generate them again")
        await repo.add_audit(
            session, staff, "roll.codes", election_id, canonical_json({"count": count, "district": district})
        )
    return codes


async def register_kiosk(intake: Intake, staff: StaffTokenRow | None, election_id: int, name: str) -> KioskRow:
    """Register a kiosk (polling station) for an election that is not yet closed."""
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
        if row.status not in {"draft", "open"}:
            raise ConflictError(f"election {election_id} is {row.status}; kiosks are registered before it closes")
        kiosk = KioskRow(election_id=election_id, name=name)
        session.add(kiosk)
        await session.flush()
        await repo.add_audit(
            session, staff, "kiosk.register", election_id, canonical_json({"kiosk": kiosk.id, "name": name})
        )
    return kiosk


async def tally_election(intake: Intake, staff: StaffTokenRow | None, election_id: int) -> dict[str, JsonValue]:
    """Run the election's rule on its counted ballots (district by district), store the result and build the record.

    The record (`ballots.record`) is published once every official has signed its manifest.

    Raises:
        ConflictError: the election is not closed, or a paper batch is not reconciled.
    """
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
        open_batches = await repo.unreconciled_batches(session, election_id)
        if row.status == "closed" and open_batches:
            raise ConflictError(f"paper batches {', '.join(map(str, open_batches))} are not reconciled yet")
        rows = await repo.counted_ballots(session, election_id)
        profile = [
            Ballot(
                r.ballot_id,
                tuple(ProjectId(p) for p in json.loads(r.selections)),
                tuple(json.loads(r.points)),
                district=r.district,
            )
            for r in rows
        ]
        # the rule runs in a worker thread: MES with Add1 takes about a second on a large real election, and the
        # event loop goes on answering everyone else meanwhile
        result = await asyncio.to_thread(
            tally_profile, intake.election(row), profile, row.rule, json.loads(row.rule_options)
        )
        document: dict[str, JsonValue] = {"election_hash": row.election_hash, "ballots": len(profile), **result}
        await repo.set_status(session, row, "closed", "tallied", result=canonical_json(document))
        await build_and_store_record(intake, session, row)
        await repo.add_audit(session, staff, "election.tally", election_id, canonical_json({"ballots": len(profile)}))
    return document


def tally_profile(
    election: Election, profile: list[Ballot], rule: str, rule_options: Mapping[str, Any]
) -> dict[str, JsonValue]:
    """The allocation of `rule` on `profile`: one per district when the election has districts."""
    options = parse_rule_options(rule_options)
    if not election.districts:
        return {"allocation": allocate(election, profile, rule, options).to_json_value()}
    by_district: dict[str, JsonValue] = {}
    for district in sorted(election.districts):
        ballots = [Ballot(b.voter_id, b.selections, b.points) for b in profile if b.district == district]
        by_district[district] = allocate(election.district_election(district), ballots, rule, options).to_json_value()
    return {"districts": by_district}
