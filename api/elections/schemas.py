"""Request and response bodies of `/api/v1/elections`."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ballots.store.models import ElectionRow

__all__ = ["ElectionCreate", "ElectionOut", "Eligibility", "TurnoutOut", "TurnoutRow"]


class Eligibility(BaseModel):
    """Who may vote: the minimum age, counted in `reference_year` (the roll's birth years)."""

    model_config = ConfigDict(extra="forbid")
    min_age: int | None = Field(default=None, ge=0, le=150)
    reference_year: int | None = Field(default=None, ge=1900, le=2200)


class ElectionCreate(BaseModel):
    """A new election: its definition as `pbvote.canonical.election_to_json` writes it, and how it is run."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    definition: dict[str, Any]
    rule: str = Field(min_length=1, max_length=100)
    rule_options: dict[str, Any] = Field(default_factory=dict)
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


class TurnoutOut(BaseModel):
    """Live counts (no content): the total and by district and channel."""

    election_id: int
    status: str
    total: int
    by_district_and_channel: list[TurnoutRow]
