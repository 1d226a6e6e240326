"""Request and response bodies of `/api/v1/elections`."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ballots.store.models import ElectionRow

__all__ = [
    "BallotRulesIn",
    "DefinitionIn",
    "ElectionCreate",
    "ElectionOut",
    "ElectionSummary",
    "Eligibility",
    "GroupCount",
    "ProjectIn",
    "TurnoutOut",
    "TurnoutRow",
]


class Eligibility(BaseModel):
    """Who may vote: the minimum age, counted in `reference_year` (the roll's birth years)."""

    model_config = ConfigDict(extra="forbid")
    min_age: int | None = Field(default=None, ge=0, le=150)
    reference_year: int | None = Field(default=None, ge=1900, le=2200)


class ProjectIn(BaseModel):
    """A project of the definition; costs in the election's integer counting unit."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=200)
    cost: StrictInt = Field(ge=0)
    name: str = ""
    category: list[str] = Field(default_factory=list)
    district: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)


class BallotRulesIn(BaseModel):
    """What a valid ballot looks like; a missing limit means none."""

    model_config = ConfigDict(extra="forbid")
    vote_type: Literal["approval", "choose-1", "cumulative", "ordinal", "scoring"] = "approval"
    min_length: StrictInt | None = None
    max_length: StrictInt | None = None
    min_sum_cost: StrictInt | None = None
    max_sum_cost: StrictInt | None = None
    min_points: StrictInt | None = None
    max_points: StrictInt | None = None
    min_sum_points: StrictInt | None = None
    max_sum_points: StrictInt | None = None
    max_cost_per_category: dict[str, StrictInt] = Field(default_factory=dict)


class DefinitionIn(BaseModel):
    """An election definition, in the form `pbvote.canonical.election_to_json` writes (integers only)."""

    model_config = ConfigDict(extra="forbid")
    budget: StrictInt
    projects: list[ProjectIn] = Field(min_length=1, max_length=10_000)
    ballot_rules: BallotRulesIn = Field(default_factory=BallotRulesIn)
    currency: str = ""
    rule: str | None = None
    meta: dict[str, str] = Field(default_factory=dict)
    districts: dict[str, StrictInt] = Field(default_factory=dict)


class ElectionCreate(BaseModel):
    """A new election: its definition as `pbvote.canonical.election_to_json` writes it, and how it is run."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    definition: DefinitionIn
    rule: str = Field(min_length=1, max_length=100)
    rule_options: dict[str, str | StrictInt | bool | None] = Field(default_factory=dict)
    allow_revote: bool = False
    eligibility: Eligibility = Field(default_factory=Eligibility)


class ElectionOut(BaseModel):
    """An election as published."""

    id: int
    name: str
    status: str
    rule: str
    rule_options: dict[str, Any]
    allow_revote: bool
    election_hash: str | None
    eligibility: Eligibility
    definition: dict[str, Any]

    @classmethod
    def of(cls, row: ElectionRow) -> ElectionOut:
        """The published view of a stored election."""
        return cls(
            id=row.id,
            name=row.name,
            status=row.status,
            rule=row.rule,
            rule_options=json.loads(row.rule_options),
            allow_revote=row.allow_revote,
            election_hash=row.election_hash,
            eligibility=Eligibility(min_age=row.min_age, reference_year=row.reference_year),
            definition=json.loads(row.definition),
        )


class TurnoutRow(BaseModel):
    """Counted ballots of one district through one channel."""

    district: str | None
    channel: str
    ballots: int


class GroupCount(BaseModel):
    """Residents of one group (a gender, an age group, or `not-said`); `residents` `null`: hidden."""

    group: str
    residents: int | None


class TurnoutOut(BaseModel):
    """Live counts (no content): the total and by district and channel; residents by gender and by age group.

    `participants` counts the residents who took part online or at a kiosk (paper ballots belong to nobody), once
    each whatever their re-votes; `by_gender` and `by_age_group` list every group, then `not-said`, with groups
    under `minimum_group` residents hidden (and, when one alone would be, the next smallest with it).
    """

    election_id: int
    status: str
    total: int
    by_district_and_channel: list[TurnoutRow]
    participants: int
    minimum_group: int
    by_gender: list[GroupCount]
    by_age_group: list[GroupCount]


class ElectionSummary(BaseModel):
    """An election in the list."""

    id: int
    name: str
    status: str
    election_hash: str | None
