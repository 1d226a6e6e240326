"""Elections: a budget, its projects and the rules a ballot must follow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pbvote.ballot import VoteType
from pbvote.errors import InvalidElection
from pbvote.project import Project, ProjectId

__all__ = ["BallotRules", "Election"]


@dataclass(frozen=True, slots=True)
class BallotRules:
    """What a valid ballot looks like; `None` means no limit.

    Attributes:
        vote_type: the kind of ballot.
        min_length: fewest projects a ballot names.
        max_length: most projects a ballot names.
        min_sum_cost: least total cost of the projects named.
        max_sum_cost: most total cost of the projects named (knapsack ballots).
        min_points: fewest points one project may get.
        max_points: most points one project may get.
        min_sum_points: least total of points.
        max_sum_points: most total of points (cumulative ballots).
        max_cost_per_category: a cap on the total cost chosen in each category (Bogotá's investment lines).
    """

    vote_type: VoteType = VoteType.APPROVAL
    min_length: int | None = None
    max_length: int | None = None
    min_sum_cost: int | None = None
    max_sum_cost: int | None = None
    min_points: int | None = None
    max_points: int | None = None
    min_sum_points: int | None = None
    max_sum_points: int | None = None
    max_cost_per_category: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse limits that no ballot could meet."""
        pairs = [
            ("length", self.min_length, self.max_length),
            ("sum_cost", self.min_sum_cost, self.max_sum_cost),
            ("points", self.min_points, self.max_points),
            ("sum_points", self.min_sum_points, self.max_sum_points),
        ]
        for name, low, high in pairs:
            for bound, value in (("min", low), ("max", high)):
                if value is not None and value < 0:
                    msg = f"{bound}_{name} is negative ({value})"
                    raise InvalidElection(msg)
            if low is not None and high is not None and low > high:
                msg = f"min_{name} ({low}) is greater than max_{name} ({high})"
                raise InvalidElection(msg)
        for category, cap in self.max_cost_per_category.items():
            if cap < 0:
                msg = f"the cap of category {category!r} is negative ({cap})"
                raise InvalidElection(msg)


@dataclass(frozen=True, slots=True)
class Election:
    """One ballot's election: a budget, the projects on the ballot, and the ballot rules.

    Attributes:
        budget: the money to allocate, in the integer counting unit.
        projects: the projects, in the order the city lists them.
        ballot_rules: what a valid ballot looks like.
        currency: ISO 4217 code, if known.
        rule: the allocation rule the city used or will use, as pabulib records it (`greedy`, `equalshares/add1`).
        meta: every META field as recorded, in file order (pabulib's `description`, `unit`, `scoring_fn`, ...).
        districts: for an election split into districts, each district's own budget (`budget` is then their sum);
            every project names its district and each ballot is cast in one district's ballot. Empty: city-wide.
    """

    budget: int
    projects: tuple[Project, ...]
    ballot_rules: BallotRules = field(default_factory=BallotRules)
    currency: str = ""
    rule: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    districts: Mapping[str, int] = field(default_factory=dict)
    _by_id: Mapping[ProjectId, Project] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the invariants every rule relies on."""
        if self.budget <= 0:
            msg = f"the budget must be positive, not {self.budget}"
            raise InvalidElection(msg)
        by_id: dict[ProjectId, Project] = {}
        for project in self.projects:
            if not project.id:
                msg = "a project has an empty id"
                raise InvalidElection(msg)
            if project.id in by_id:
                msg = f"project id {project.id!r} appears twice"
                raise InvalidElection(msg)
            if project.cost < 0:
                msg = f"project {project.id!r} has a negative cost ({project.cost})"
                raise InvalidElection(msg)
            by_id[project.id] = project
        object.__setattr__(self, "_by_id", by_id)
        self._check_districts()

    def _check_districts(self) -> None:
        if not self.districts:
            return
        if sum(self.districts.values()) != self.budget:
            msg = f"the district budgets add up to {sum(self.districts.values())}, not the budget {self.budget}"
            raise InvalidElection(msg)
        for name, amount in self.districts.items():
            if amount <= 0:
                msg = f"district {name!r} has a budget of {amount}; it must be positive"
                raise InvalidElection(msg)
        for project in self.projects:
            if project.district not in self.districts:
                msg = f"project {project.id!r} names district {project.district!r}, which is not in the election"
                raise InvalidElection(msg)

    def district_election(self, district: str) -> Election:
        """The city-wide election of one district: its projects and its budget.

        Raises:
            KeyError: when the election has no such district.
        """
        budget = self.districts[district]
        projects = tuple(p for p in self.projects if p.district == district)
        return Election(budget, projects, self.ballot_rules, self.currency, self.rule, self.meta)

    @property
    def vote_type(self) -> VoteType:
        """The kind of ballot this election takes."""
        return self.ballot_rules.vote_type

    def project(self, project_id: ProjectId) -> Project:
        """The project with this id.

        Raises:
            KeyError: when no project has that id.
        """
        return self._by_id[project_id]

    def has_project(self, project_id: str) -> bool:
        """Whether a project has this id."""
        return project_id in self._by_id

    @property
    def project_ids(self) -> tuple[ProjectId, ...]:
        """The project ids in listing order."""
        return tuple(self._by_id)
