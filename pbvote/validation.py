"""Checking a ballot against its election's rules; failures come back as values, every reason listed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.project import ProjectId

__all__ = ["BallotCheck", "BallotValidator", "Reason", "validate_ballot"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a ballot is not valid.

    Attributes:
        code: a stable machine-readable code (`unknown-project`, `too-few`, `over-cost`, ...).
        message: the explanation in plain words, naming the project or the limit.
        project_id: the project concerned, if any.
        category: the category concerned, if any.
    """

    code: str
    message: str
    project_id: ProjectId | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class BallotCheck:
    """The outcome of `validate_ballot`: valid when `reasons` is empty."""

    reasons: tuple[Reason, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the ballot is valid."""
        return not self.reasons


def validate_ballot(election: Election, ballot: Ballot) -> BallotCheck:
    """List every way `ballot` breaks the rules of `election`.

    >>> from pbvote.project import Project, ProjectId
    >>> e = Election(budget=10, projects=(Project(ProjectId("a"), 6), Project(ProjectId("b"), 6)))
    >>> [r.code for r in validate_ballot(e, Ballot("v1", (ProjectId("a"), ProjectId("x")))).reasons]
    ['unknown-project']
    """
    reasons = [*_check_district(election, ballot), *_check_projects(election, ballot), *_check_points(election, ballot)]
    known = [p for p in dict.fromkeys(ballot.selections) if election.has_project(p)]
    reasons.extend(_check_length(election, len(ballot.selections)))
    reasons.extend(_check_costs(election, known))
    return BallotCheck(tuple(reasons))


class BallotValidator:
    """`validate_ballot` for many ballots of one election: valid ballots take a fast path, the same answer.

    >>> from pbvote.project import Project, ProjectId
    >>> check = BallotValidator(Election(budget=10, projects=(Project(ProjectId("a"), 6),)))
    >>> check(Ballot("v1", (ProjectId("a"),))).ok, check(Ballot("v2", (ProjectId("a"), ProjectId("a")))).ok
    (True, False)
    """

    __slots__ = ("_costs", "_election", "_simple")

    def __init__(self, election: Election) -> None:
        self._election = election
        self._costs = {p.id: p.cost for p in election.projects}
        rules = election.ballot_rules
        self._simple = not election.districts and not rules.max_cost_per_category and not rules.vote_type.has_points

    def __call__(self, ballot: Ballot) -> BallotCheck:
        """Check one ballot; equal to `validate_ballot(election, ballot)`."""
        if self._simple and self._plainly_valid(ballot):
            return _VALID
        return validate_ballot(self._election, ballot)

    def _plainly_valid(self, ballot: Ballot) -> bool:
        rules = self._election.ballot_rules
        selections = ballot.selections
        length = len(selections)
        if ballot.points or ballot.district is not None or len(set(selections)) != length:
            return False
        if (rules.min_length is not None and length < rules.min_length) or (
            rules.max_length is not None and length > rules.max_length
        ):
            return False
        costs = self._costs
        try:
            total = sum(costs[p] for p in selections)
        except KeyError:
            return False
        return (rules.max_sum_cost is None or total <= rules.max_sum_cost) and (
            rules.min_sum_cost is None or total >= rules.min_sum_cost
        )


_VALID = BallotCheck()


def _check_district(election: Election, ballot: Ballot) -> list[Reason]:
    if not election.districts:
        if ballot.district is not None:
            return [Reason("wrong-district", f"this election has no districts; the ballot names {ballot.district!r}")]
        return []
    if ballot.district not in election.districts:
        return [Reason("wrong-district", f"the ballot's district {ballot.district!r} is not in this election")]
    return [
        Reason("wrong-district", f"project {p!r} is not on the ballot of district {ballot.district!r}", p)
        for p in dict.fromkeys(ballot.selections)
        if election.has_project(p) and election.project(p).district != ballot.district
    ]


def _check_projects(election: Election, ballot: Ballot) -> list[Reason]:
    reasons: list[Reason] = []
    seen: set[str] = set()
    for project_id in ballot.selections:
        if not election.has_project(project_id):
            reasons.append(Reason("unknown-project", f"project {project_id!r} is not on this ballot", project_id))
        elif project_id in seen:
            reasons.append(Reason("duplicate-project", f"project {project_id!r} is chosen twice", project_id))
        seen.add(project_id)
    return reasons


def _check_length(election: Election, length: int) -> list[Reason]:
    rules = election.ballot_rules
    if rules.min_length is not None and length < rules.min_length:
        return [Reason("too-few", f"{length} projects chosen; at least {rules.min_length} are required")]
    if rules.max_length is not None and length > rules.max_length:
        return [Reason("too-many", f"{length} projects chosen; at most {rules.max_length} are allowed")]
    return []


def _check_costs(election: Election, known: list[ProjectId]) -> list[Reason]:
    rules = election.ballot_rules
    reasons: list[Reason] = []
    total = sum(election.project(p).cost for p in known)
    if rules.max_sum_cost is not None and total > rules.max_sum_cost:
        reasons.append(Reason("over-cost", f"the projects chosen cost {total}; the limit is {rules.max_sum_cost}"))
    if rules.min_sum_cost is not None and total < rules.min_sum_cost:
        reasons.append(Reason("under-cost", f"the projects chosen cost {total}; at least {rules.min_sum_cost}"))
    by_category: defaultdict[str, int] = defaultdict(int)
    for project_id in known:
        for category in election.project(project_id).category:
            by_category[category] += election.project(project_id).cost
    for category, cap in sorted(rules.max_cost_per_category.items()):
        if by_category[category] > cap:
            message = f"the projects chosen in {category!r} cost {by_category[category]}; the cap is {cap}"
            reasons.append(Reason("over-category-cap", message, category=category))
    return reasons


def _check_points(election: Election, ballot: Ballot) -> list[Reason]:
    rules = election.ballot_rules
    if not rules.vote_type.has_points:
        if ballot.points:
            return [Reason("unexpected-points", f"{rules.vote_type} ballots carry no points")]
        return []
    if len(ballot.points) != len(ballot.selections):
        message = f"{len(ballot.points)} points given for {len(ballot.selections)} projects"
        return [Reason("points-mismatch", message)]
    reasons: list[Reason] = []
    for project_id, points in zip(ballot.selections, ballot.points, strict=True):
        low = rules.min_points if rules.min_points is not None else 0
        if points < low or (rules.max_points is not None and points > rules.max_points):
            high = "" if rules.max_points is None else f" to {rules.max_points}"
            message = f"project {project_id!r} gets {points} points; allowed {low}{high}"
            reasons.append(Reason("points-range", message, project_id))
    total = sum(ballot.points)
    if rules.max_sum_points is not None and total > rules.max_sum_points:
        reasons.append(Reason("too-many-points", f"{total} points given; at most {rules.max_sum_points}"))
    if rules.min_sum_points is not None and total < rules.min_sum_points:
        reasons.append(Reason("too-few-points", f"{total} points given; at least {rules.min_sum_points}"))
    return reasons
