"""Ballot validation: every reason listed; the fast validator agrees with the reference on any ballot."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.validation import BallotValidator, validate_ballot

PROJECTS = (
    Project(ProjectId("a"), 40, category=("green",)),
    Project(ProjectId("b"), 30, category=("green", "sport")),
    Project(ProjectId("c"), 50, category=("sport",)),
)


def election(**limits: int) -> Election:
    return Election(budget=100, projects=PROJECTS, ballot_rules=BallotRules(**limits))  # type: ignore[arg-type]


def codes(e: Election, *selections: str) -> list[str]:
    return [r.code for r in validate_ballot(e, Ballot("v", tuple(ProjectId(s) for s in selections))).reasons]


def test_every_reason_is_listed():
    # a, a, x: the second a is a duplicate, x is unknown (in ballot order), 3 named where at most 2 are allowed,
    # and the known projects (a, counted once) cost 40 > 30
    e = election(max_length=2, max_sum_cost=30)
    assert codes(e, "a", "a", "x") == ["duplicate-project", "unknown-project", "too-many", "over-cost"]


def test_length_and_cost_limits():
    e = election(min_length=2, min_sum_cost=75)
    assert codes(e, "a") == ["too-few", "under-cost"]  # one project, 40 < 75
    assert codes(e, "a", "b") == ["under-cost"]  # 40 + 30 = 70 < 75
    assert codes(e, "a", "c") == []  # 40 + 50 = 90


def test_category_caps():
    e = Election(budget=100, projects=PROJECTS, ballot_rules=BallotRules(max_cost_per_category={"sport": 60}))
    # b (30) + c (50) are both sport: 80 > 60; green holds a + b = 70 but has no cap
    reasons = validate_ballot(e, Ballot("v", (ProjectId("a"), ProjectId("b"), ProjectId("c")))).reasons
    assert [(r.code, r.category) for r in reasons] == [("over-category-cap", "sport")]


def test_points_ballots():
    e = Election(
        budget=100,
        projects=PROJECTS,
        ballot_rules=BallotRules(vote_type=VoteType.CUMULATIVE, max_points=5, max_sum_points=6),
    )
    ballot = Ballot("v", (ProjectId("a"), ProjectId("b")), points=(6, 1))
    assert [r.code for r in validate_ballot(e, ballot).reasons] == ["points-range", "too-many-points"]
    assert [r.code for r in validate_ballot(e, Ballot("v", (ProjectId("a"),), points=())).reasons] == [
        "points-mismatch"
    ]


limits = st.fixed_dictionaries(
    {},
    optional={
        "min_length": st.integers(0, 3),
        "max_length": st.integers(3, 5),
        "min_sum_cost": st.integers(0, 60),
        "max_sum_cost": st.integers(60, 150),
    },
)
selections = st.lists(st.sampled_from(["a", "b", "c", "x"]), max_size=5)


@settings(max_examples=300, derandomize=True)
@given(limits, selections)
def test_fast_validator_equals_reference(rule_limits, chosen):
    e = election(**rule_limits)
    ballot = Ballot("v", tuple(ProjectId(s) for s in chosen))
    assert BallotValidator(e)(ballot) == validate_ballot(e, ballot)
