"""Ballots and the kinds of vote found in real participatory budgets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pbvote.project import ProjectId

__all__ = ["Ballot", "Profile", "VoteType"]


class VoteType(StrEnum):
    """How a ballot expresses support, named as in pabulib's META `vote_type`."""

    APPROVAL = "approval"
    """A set of approved projects (knapsack ballots are approval ballots limited by total cost)."""
    CHOOSE_1 = "choose-1"
    """Exactly one project."""
    CUMULATIVE = "cumulative"
    """Points spread over projects, summing to at most a limit."""
    ORDINAL = "ordinal"
    """Projects in order of preference, best first."""
    SCORING = "scoring"
    """An independent score for each project named."""

    @property
    def has_points(self) -> bool:
        """Whether ballots of this kind carry points for each selection."""
        return self in {VoteType.CUMULATIVE, VoteType.SCORING}


@dataclass(frozen=True, slots=True)
class Ballot:
    """One counted ballot.

    Attributes:
        voter_id: the ballot's id in its source (pabulib `voter_id`, or a published `ballot_id`).
        selections: the projects named, in the order cast; for ordinal ballots best first.
        points: for cumulative and scoring ballots, the points given to each selection (same order); else empty.
        fields: other recorded voter fields (age, sex, voting_method); never used by a rule.
        district: in an election with districts, the district whose ballot this is.
    """

    voter_id: str
    selections: tuple[ProjectId, ...]
    points: tuple[int, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    district: str | None = None


Profile = Sequence[Ballot]
