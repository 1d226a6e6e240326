"""Sequential Phragmén: loads, the stopping rule, ties, and refusal of non-approval ballots."""

from __future__ import annotations

import pytest

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.errors import InvalidRuleOptions
from pbvote.project import Project, ProjectId
from tally.registry import allocate


def make(costs: dict[str, int], budget: int, vote_type: VoteType = VoteType.APPROVAL) -> Election:
    return Election(budget, tuple(Project(ProjectId(p), c) for p, c in costs.items()), BallotRules(vote_type))


def approvals(*ballots: str) -> list[Ballot]:
    return [Ballot(f"v{n}", tuple(ProjectId(p) for p in b.split())) for n, b in enumerate(ballots, start=1)]


def test_unit_costs_are_committee_phragmen():
    # Unit costs, budget 2 (a committee of 2). 3 voters approve a b, 1 approves c.
    # a and b: 1/3 each; c: 1. a and b tie at 1/3: the id puts a first (v1-v3 carry 1/3).
    # then b: (1 + 3 x 1/3)/3 = 2/3 < c 1: b. Budget spent: stop. Proportional committee theory agrees:
    # the 3-voter group deserves both seats (3/4 of the votes, 2 seats).
    result = allocate(make({"a": 1, "b": 1, "c": 1}, 2), approvals("a b", "a b", "a b", "c"), "phragmen")
    assert result.selected == ("a", "b")
    assert [r["load"] for r in result.details["rounds"]] == ["1/3", "2/3"]
    assert [t.candidates for t in result.ties] == [("a", "b")]


def test_minority_gets_its_turn():
    # Costs 1, budget 3. 2 voters: a b c; 1 voter: d. a, b, c due at 1/2 then 1 then 3/2; d at 1.
    # Round 1: a at 1/2 (ties with b, c; id first). Round 2: b at (1 + 1/2 + 1/2)/2 = 1, d at 1: tie; the
    # tie-break order (min-cost, max-support, id) prefers b (2 supporters). Round 3: c at (1 + 1 + 1)/2 = 3/2,
    # d at 1: d.
    result = allocate(make({"a": 1, "b": 1, "c": 1, "d": 1}, 3), approvals("a b c", "a b c", "d"), "phragmen")
    assert result.selected == ("a", "b", "d")


def test_stops_at_the_first_project_due_that_does_not_fit():
    # a: 6/3 = 2, b: 6/2 = 3, c: 4/1 = 4 (no shared voters). Budget 10: a (6 spent), then b is due and would
    # reach 12: stop, although c (6 + 4 = 10) would still fit: Phragmén stops, it does not skip.
    ballots = approvals("a", "a", "a", "b", "b", "c")
    result = allocate(make({"a": 6, "b": 6, "c": 4}, 10), ballots, "phragmen")
    assert result.selected == ("a",)


def test_projects_without_supporters_or_dearer_than_the_budget_are_never_due():
    result = allocate(make({"a": 1, "b": 1, "big": 100}, 50), approvals("a big"), "phragmen")
    assert result.selected == ("a",)


def test_choose_one_is_approval_of_one():
    result = allocate(make({"a": 2, "b": 2}, 2, VoteType.CHOOSE_1), approvals("a", "b", "b"), "phragmen")
    assert result.selected == ("b",)


@pytest.mark.parametrize("vote_type", [VoteType.ORDINAL, VoteType.CUMULATIVE, VoteType.SCORING])
def test_refuses_ballots_that_are_not_approvals(vote_type):
    with pytest.raises(InvalidRuleOptions, match=f"needs approval ballots.*{vote_type.value}"):
        allocate(make({"a": 1}, 1, vote_type), [], "phragmen")
