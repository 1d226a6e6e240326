"""The exact knapsack behind max-welfare: optimum, the order among optima, and the reported rival."""

from __future__ import annotations

import pytest

from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions
from pbvote.project import Project, ProjectId
from tally.knapsack import solve_knapsack
from tally.options import RuleOptions, Satisfaction
from tally.registry import allocate


def test_optimum_beats_the_greedy_choice():
    # capacity 10: density order 0 (6/5), 1 (5/5), 2 (5/5); greedy takes 0 then nothing fits (value 6);
    # {1, 2} is worth 10.
    assert solve_knapsack([5, 5, 6], [5, 5, 12], 10, [0, 1, 2]).value == 12
    solution = solve_knapsack([6, 5, 5], [7, 5, 5], 10, [0, 1, 2])
    assert (solution.chosen, solution.value, solution.rival) == ((1, 2), 10, None)


def test_equal_value_at_different_costs_is_a_tie_and_the_order_decides():
    # {0} costs 5 and {1} costs 7, both worth 10; budget 7 holds one of them. Ranks prefer 1 then 0.
    solution = solve_knapsack([5, 7], [10, 10], 7, [1, 0])
    assert (solution.chosen, solution.rival) == ((1,), (0,))
    solution = solve_knapsack([5, 7], [10, 10], 7, [0, 1])
    assert (solution.chosen, solution.rival) == ((0,), (1,))


def test_free_items_are_always_taken_and_worthless_ones_never():
    solution = solve_knapsack([0, 3, 2, 50], [4, 0, 1, 9], 10, [0, 1, 2, 3])
    assert (solution.chosen, solution.value, solution.rival) == ((0, 2), 5, None)


def test_empty_and_unaffordable():
    assert solve_knapsack([], [], 10, []).chosen == ()
    assert solve_knapsack([11], [5], 10, [0]).chosen == ()


def test_max_welfare_reports_the_rival_optimum():
    # cardinality: a, b, c one supporter each; budget 2 funds two of the three (cost 1 each): three optima.
    # Tie order a, b, c (equal cost and support: id): {a, b}; another optimum is reported.
    e = Election(2, tuple(Project(ProjectId(p), 1) for p in "abc"))
    ballots = [Ballot(str(n), (ProjectId(p),)) for n, p in enumerate("abc")]
    result = allocate(e, ballots, "max-welfare", RuleOptions(satisfaction=Satisfaction.CARDINALITY))
    assert result.selected == ("a", "b")
    assert len(result.ties) == 1
    assert result.ties[0].chosen in {"a", "b"}
    assert "another optimal set" in result.ties[0].reason


def test_unknown_satisfaction_is_refused():
    e = Election(2, (Project(ProjectId("a"), 1),))
    with pytest.raises(InvalidRuleOptions, match="satisfaction"):
        allocate(e, [], "max-welfare", RuleOptions(satisfaction="utility"))  # type: ignore[arg-type]


def test_values_beyond_int64_use_the_exact_reference():
    # 2**70 does not fit numpy's int64: the pure-Python front decides; the larger value wins.
    assert solve_knapsack([1, 1], [2**70, 2**70 + 1], 1, [0, 1]).chosen == (1,)
    assert solve_knapsack([2**63, 1], [5, 1], 2**63, [0, 1]).chosen == (0,)
