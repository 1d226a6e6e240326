"""Hypothesis strategies: small random elections with their ballots, for every vote type the rules take.

Elections are small (a few projects, a few ballots) so exhaustive checks such as brute force over all subsets
stay cheap; costs may be 0 and the budget may exceed the total cost, to reach the edge cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId

__all__ = ["Instance", "instances"]


@dataclass(frozen=True, slots=True)
class Instance:
    """An election and its ballots."""

    election: Election
    ballots: tuple[Ballot, ...]


@st.composite
def _ballot(draw: st.DrawFn, ids: list[ProjectId], vote_type: VoteType, number: int) -> Ballot:
    if vote_type == VoteType.ORDINAL:
        ranked = draw(st.permutations(ids))
        return Ballot(f"v{number}", tuple(ranked[: draw(st.integers(1, len(ids)))]))
    chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    if vote_type == VoteType.CHOOSE_1:
        chosen = chosen[:1] or [ids[0]]
    points: tuple[int, ...] = ()
    if vote_type.has_points:
        points = tuple(draw(st.integers(1, 5)) for _ in chosen)
    return Ballot(f"v{number}", tuple(chosen), points)


@st.composite
def instances(
    draw: st.DrawFn,
    vote_types: tuple[VoteType, ...] = (VoteType.APPROVAL,),
    *,
    max_projects: int = 6,
    max_ballots: int = 8,
    min_cost: int = 0,
    max_cost: int = 20,
) -> Instance:
    """A random election of one of `vote_types`, with up to `max_projects` projects and `max_ballots` ballots."""
    vote_type = draw(st.sampled_from(vote_types))
    count = draw(st.integers(1, max_projects))
    ids = [ProjectId(f"p{k}") for k in range(1, count + 1)]
    costs = draw(st.lists(st.integers(min_cost, max_cost), min_size=count, max_size=count))
    budget = draw(st.integers(1, max(1, sum(costs) + 5)))
    rules = BallotRules(vote_type, max_length=count if vote_type == VoteType.ORDINAL else None)
    election = Election(budget, tuple(Project(pid, cost) for pid, cost in zip(ids, costs, strict=True)), rules)
    number = draw(st.integers(0, max_ballots))
    ballots = tuple(draw(_ballot(ids, vote_type, n)) for n in range(1, number + 1))
    return Instance(election, ballots)
