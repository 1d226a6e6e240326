"""Each project's score, by vote type, as the greedy family ranks projects.

- approval and choose-1: the number of ballots naming the project;
- cumulative and scoring: the sum of the points it gets;
- ordinal: positional points by the election's scoring function.

The ordinal scoring function comes from `RuleOptions.scoring_fn`, else META `scoring_fn`, else Borda, which is
pabulib's documented default (https://pabulib.org/format, "scoring_fn (default: Borda)" for ordinal ballots).
Borda here gives the project ranked at place `i` (0 first) `k - i` points, where `k` is the number of places on
the ballot: META `max_length`, else the number of projects. Kraków 2020 ranks exactly 3 projects, so its points are
3/2/1, which reproduces the file's `score` column; a city that lets voters rank up to 4 gets 4/3/2/1 whatever the
length of each ballot. An explicit list such as `5,3,1` gives those points to places 1, 2, 3 and 0 beyond.
"""

from __future__ import annotations

from pbvote.ballot import VoteType
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions
from tally.options import RuleOptions
from tally.profile import CompiledProfile

__all__ = ["check_city_wide", "positional_points", "project_scores", "tie_ranks"]


def positional_points(election: Election, options: RuleOptions) -> tuple[int, ...]:
    """Points for each place on an ordinal ballot, best place first.

    Raises:
        InvalidRuleOptions: when the scoring function is neither `borda` nor a list of integers.

    >>> from pbvote.election import BallotRules
    >>> from pbvote.project import Project, ProjectId
    >>> e = Election(10, (Project(ProjectId("a"), 1),), BallotRules(VoteType.ORDINAL, max_length=3))
    >>> positional_points(e, RuleOptions()), positional_points(e, RuleOptions(scoring_fn="5, 3, 1"))
    ((3, 2, 1), (5, 3, 1))
    """
    raw = options.scoring_fn if options.scoring_fn is not None else election.meta.get("scoring_fn", "borda")
    text = raw.strip()
    if text.lower() == "borda":
        places = election.ballot_rules.max_length
        places = len(election.projects) if places is None else places
        return tuple(range(places, 0, -1))
    try:
        points = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise InvalidRuleOptions(
            f"unknown scoring_fn {raw!r}; use 'borda' or integer points per place such as '3,2,1'"
        ) from None
    return points


def project_scores(election: Election, compiled: CompiledProfile, options: RuleOptions) -> list[int]:
    """The score of each project, indexed as `compiled.project_ids`.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.election import BallotRules
    >>> from pbvote.project import Project, ProjectId
    >>> from tally.profile import compile_profile
    >>> e = Election(10, (Project(ProjectId("a"), 1), Project(ProjectId("b"), 1)), BallotRules(VoteType.CUMULATIVE))
    >>> ballots = [Ballot("1", (ProjectId("a"), ProjectId("b")), (3, 1)), Ballot("2", (ProjectId("b"),), (4,))]
    >>> project_scores(e, compile_profile(e, ballots), RuleOptions())
    [3, 5]
    """
    vote_type = election.vote_type
    if vote_type in {VoteType.APPROVAL, VoteType.CHOOSE_1}:
        return [int(s) for s in compiled.support]
    scores = [0] * len(compiled.project_ids)
    if vote_type == VoteType.ORDINAL:
        places = positional_points(election, options)
        for group, weight in zip(compiled.groups, compiled.weights, strict=True):
            for place, j in enumerate(group):
                scores[j] += int(weight) * (places[place] if place < len(places) else 0)
        return scores
    for group, points, weight in zip(compiled.groups, compiled.points, compiled.weights, strict=True):
        for j, p in zip(group, points, strict=True):
            scores[j] += int(weight) * p
    return scores


def tie_ranks(election: Election, compiled: CompiledProfile, options: RuleOptions) -> list[int]:
    """Each project's place in the tie-break order (0 is preferred in any tie), indexed as `compiled.project_ids`."""
    by_id = options.tie_break.rank(election.projects, compiled.support_by_id())
    return [by_id[pid] for pid in compiled.project_ids]


def check_city_wide(election: Election, rule: str) -> None:
    """Refuse an election split into districts: each district is allocated on its own.

    Raises:
        InvalidRuleOptions: when the election has districts.
    """
    if election.districts:
        raise InvalidRuleOptions(
            f"{rule} allocates one budget; this election has districts ({', '.join(sorted(election.districts))}): "
            "run the rule on each Election.district_election(name)"
        )
