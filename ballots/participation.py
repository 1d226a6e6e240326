"""Who took part, by self-declared gender and age group: counted once per resident, never tied to a ballot.

A resident may say their gender and age group when they vote online or check in at a kiosk (both optional; not
saying is the default). One `participation` row per resident and election records it, with the district and the
channel, so that live turnout can be broken down as Pachuca's dashboard does (by gender, age and sector).

What keeps these rows apart from the ballots:
- the key is `participation_key`, a keyed hash of the roll entry under the purpose `"participation"`, not the
  ballot's `voter_link` (purpose `"link"`): without the server's secret the two cannot be matched, and no column
  is shared with `ballots` other than the election, the district and the channel;
- the table has no autoincrement id and no time, and on SQLite it is a `WITHOUT ROWID` table stored in key order
  (a keyed hash, so a random order): its rows cannot be lined up with ballot rows by when they were written.
  On PostgreSQL the heap still keeps each row's writing transaction (`xmin`) and physical place, visible only
  with direct access to the database, as for every other table; nothing pbvote serves or exports shows them;
- a resident who votes again (re-voting) is not counted again: the first row stands (`ON CONFLICT DO NOTHING`);
- the age group comes from the roll's birth year when it has one, else from what the resident said.

Turnout pages and the API show these counts only by one attribute at a time and hide every group under ten
people (`api.pages.turnout_view.suppress`).

Age groups (years reached in the election's reference year, as the roll's eligibility counts them):
`under-18`, `18-29`, `30-44`, `45-64`, `65+`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ballots.credentials import keyed_hash
from ballots.store.bulk import insert_participation
from ballots.store.models import ParticipationRow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ballots.store.models import ElectionRow, RollEntry

__all__ = [
    "AGE_GROUPS",
    "CHANNELS",
    "GENDERS",
    "Participation",
    "ParticipationCount",
    "Profile",
    "age_group_of",
    "participation_key",
    "participation_of",
    "participation_row",
    "participation_turnout",
    "record_participation",
    "reference_year_of",
]

GENDERS = ("female", "male", "other")
"""Self-declared genders; `None` (absent) means the resident did not say."""

AGE_GROUPS = ("under-18", "18-29", "30-44", "45-64", "65+")
"""Age groups by the age reached in the reference year; `None` means unknown (not said, no birth year)."""

CHANNELS = ("online", "kiosk")
"""The channels where a resident is known: paper ballots in batches belong to nobody."""

_AGE_BOUNDS = ((18, "under-18"), (30, "18-29"), (45, "30-44"), (65, "45-64"))


@dataclass(frozen=True, slots=True)
class Profile:
    """What a resident self-declares; both optional, `None` meaning not said.

    Raises:
        ValueError: a gender or age group outside `GENDERS` or `AGE_GROUPS`, naming the field.
    """

    gender: str | None = None
    age_group: str | None = None

    def __post_init__(self) -> None:
        """Refuse values outside the allowed ones."""
        _check("gender", self.gender, GENDERS)
        _check("age_group", self.age_group, AGE_GROUPS)


@dataclass(frozen=True, slots=True)
class Participation:
    """One participating resident, never linked to a ballot.

    Raises:
        ValueError: a channel, gender or age group outside the allowed values, naming the field.
    """

    election_id: int
    voter_key: str
    district: str | None
    channel: str
    gender: str | None
    age_group: str | None

    def __post_init__(self) -> None:
        """Refuse values outside the allowed ones."""
        if self.channel not in CHANNELS:
            raise ValueError(f"channel: {self.channel!r} is not one of {', '.join(CHANNELS)}")
        _check("gender", self.gender, GENDERS)
        _check("age_group", self.age_group, AGE_GROUPS)


@dataclass(frozen=True, slots=True)
class ParticipationCount:
    """How many residents took part in one district, through one channel, with one gender and age group."""

    district: str | None
    channel: str
    gender: str | None
    age_group: str | None
    residents: int


def _check(field: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(allowed)}")


def participation_key(secret: bytes, election_id: int, voter_id: int) -> str:
    """The keyed hash identifying a resident's participation row (purpose `"participation"`).

    It differs from the ballot's `voter_link` (purpose `"link"`) of the same roll entry, so the two tables share
    no key.

    >>> participation_key(b"k", 1, 7) == participation_key(b"k", 1, 7) != participation_key(b"k", 1, 8)
    True
    >>> from ballots.credentials import keyed_hash
    >>> participation_key(b"k", 1, 7) != keyed_hash(b"k", "link", 1, 7)
    True
    """
    return keyed_hash(secret, "participation", election_id, voter_id)


def age_group_of(birth_year: int | None, reference_year: int | None, declared: str | None) -> str | None:
    """The resident's age group: from the roll's birth year when known (with a reference year), else as declared.

    Raises:
        ValueError: a declared age group outside `AGE_GROUPS`.

    >>> age_group_of(1990, 2026, "65+"), age_group_of(2008, 2026, None), age_group_of(2009, 2026, None)
    ('30-44', '18-29', 'under-18')
    >>> age_group_of(None, 2026, "45-64"), age_group_of(1990, None, None), age_group_of(1961, 2026, None)
    ('45-64', None, '65+')
    """
    _check("age_group", declared, AGE_GROUPS)
    if birth_year is None or reference_year is None:
        return declared
    age = reference_year - birth_year
    for bound, group in _AGE_BOUNDS:
        if age < bound:
            return group
    return "65+"


def reference_year_of(row: ElectionRow) -> int | None:
    """The year ages are counted in: the election's eligibility reference year, else the year voting opened."""
    if row.reference_year is not None:
        return row.reference_year
    return row.opened_at.year if row.opened_at is not None else None


def participation_of(  # noqa: PLR0917 -- the row's parts, each from a different source
    secret: bytes, row: ElectionRow, voter: RollEntry, channel: str, district: str | None, profile: Profile
) -> Participation:
    """The participation row of a resident identified on the roll, with what they declared."""
    return Participation(
        election_id=row.id,
        voter_key=participation_key(secret, row.id, voter.id),
        district=district,
        channel=channel,
        gender=profile.gender,
        age_group=age_group_of(voter.birth_year, reference_year_of(row), profile.age_group),
    )


async def record_participation(session: AsyncSession, entries: Sequence[Participation]) -> None:
    """Record residents' participation in one statement; a resident already recorded is left as first recorded.

    Runs inside the caller's transaction (the ballot's or check-in's), so it is kept or rolled back with it.
    """
    await insert_participation(session, [participation_row(e) for e in entries])


def participation_row(entry: Participation) -> dict[str, str | int | None]:
    """The `participation` table's columns for an entry."""
    return {
        "election_id": entry.election_id,
        "voter_key": entry.voter_key,
        "district": entry.district,
        "channel": entry.channel,
        "gender": entry.gender,
        "age_group": entry.age_group,
    }


async def participation_turnout(session: AsyncSession, election_id: int) -> list[ParticipationCount]:
    """Residents who took part, by district, channel, gender and age group (raw counts: suppress before showing)."""
    columns = (
        ParticipationRow.district,
        ParticipationRow.channel,
        ParticipationRow.gender,
        ParticipationRow.age_group,
    )
    query = (
        select(*columns, func.count())
        .where(ParticipationRow.election_id == election_id)
        .group_by(*columns)
        .order_by(*columns)
    )
    return [ParticipationCount(d, c, g, a, int(n)) for d, c, g, a, n in (await session.execute(query)).all()]
