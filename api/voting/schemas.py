"""Bodies of ballot submissions, shared by the online and kiosk endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ballots.intake.common import BallotInput, Credential
from ballots.participation import Profile

__all__ = ["BallotBody", "BallotContent", "BallotIn", "CredentialIn", "ProfileIn", "ReceiptOut"]

_MAX_SELECTIONS = 1000
_MAX_POINTS = 10**9
Points = Annotated[int, Field(ge=-_MAX_POINTS, le=_MAX_POINTS)]
"""Points given to one project: the rules add them up in 64-bit integers, so each stays within a billion."""


class CredentialIn(BaseModel):
    """A voting code (`kind` `code`), or a census identifier with the birth year (`kind` `census`)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["code", "census"]
    value: str = Field(min_length=1, max_length=200)
    birth_year: int | None = Field(default=None, ge=1800, le=2200)

    def to_credential(self) -> Credential:
        """The intake's credential."""
        return Credential(self.kind, self.value, self.birth_year)


class ProfileIn(BaseModel):
    """What the resident chose to say about themselves (`ballots.participation`); `null` or absent: not said.

    Counted only in turnout by gender and by age group (groups under 10 hidden), never stored with the ballot.
    """

    model_config = ConfigDict(extra="forbid")
    gender: Literal["female", "male", "other"] | None = None
    age_group: Literal["under-18", "18-29", "30-44", "45-64", "65+"] | None = None

    def to_profile(self) -> Profile:
        """The intake's profile."""
        return Profile(self.gender, self.age_group)


class BallotContent(BaseModel):
    """The content of a ballot: projects chosen (best first for ordinal ballots), points, district."""

    model_config = ConfigDict(extra="forbid")
    selections: list[str] = Field(max_length=_MAX_SELECTIONS)
    points: list[Points] = Field(default_factory=list, max_length=_MAX_SELECTIONS)
    district: str | None = None

    def to_input(self) -> BallotInput:
        """The intake's ballot."""
        return BallotInput(tuple(self.selections), tuple(self.points), self.district)


class BallotBody(BallotContent):
    """A resident's ballot with, optionally, what they say about themselves (gender, age group)."""

    profile: ProfileIn | None = None

    def to_input(self) -> BallotInput:
        """The intake's ballot, with the resident's profile."""
        profile = self.profile.to_profile() if self.profile is not None else Profile()
        return BallotInput(tuple(self.selections), tuple(self.points), self.district, profile)


class BallotIn(BallotBody):
    """A resident's ballot with the credential proving they may vote."""

    credential: CredentialIn


class ReceiptOut(BaseModel):
    """An accepted ballot: the receipt code to keep, and the published hash of the election it was cast in."""

    receipt: str
    election_id: int
    district: str | None
    channel: str
    election_hash: str | None
