"""Properties of the greedy family, max-welfare and Phragmén on random small elections.

Truth here is independent of the rules' code: brute force over all subsets, exact Fraction sorting, and the
definitions themselves (budget, ballot order, prefixes, non-decreasing loads).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbvote.ballot import VoteType
from pbvote.errors import InvalidRuleOptions
from pbvote.tiebreak import TieBreak
from tally.knapsack import solve_knapsack
from tally.options import RuleOptions, Satisfaction
from tally.profile import compile_profile
from tally.registry import RULES, allocate
from tests.property.strategies import Instance, instances

ALL_TYPES = (VoteType.APPROVAL, VoteType.CHOOSE_1, VoteType.CUMULATIVE, VoteType.SCORING, VoteType.ORDINAL)
MY_RULES = ("greedy", "greedy-no-skip", "greedy-per-cost", "greedy-threshold", "max-welfare", "phragmen")


def options_for(rule: str, threshold: int) -> RuleOptions:
    return RuleOptions(threshold=threshold) if rule == "greedy-threshold" else RuleOptions()


def runs(instance: Instance, rule: str) -> bool:
    """Phragmén takes approval ballots only; every other rule takes every vote type."""
    return rule != "phragmen" or instance.election.vote_type in {VoteType.APPROVAL, VoteType.CHOOSE_1}


@given(instances(ALL_TYPES), st.sampled_from(MY_RULES), st.integers(0, 6))
def test_never_over_budget(instance, rule, threshold):
    if not runs(instance, rule):
        return
    allocation = allocate(instance.election, instance.ballots, rule, options_for(rule, threshold))
    costs = {p.id: p.cost for p in instance.election.projects}
    assert len(set(allocation.selected)) == len(allocation.selected)
    assert allocation.total_cost == sum(costs[p] for p in allocation.selected) <= instance.election.budget


@given(instances((VoteType.CUMULATIVE, VoteType.ORDINAL)))
def test_phragmen_refuses_other_ballots(instance):
    with pytest.raises(InvalidRuleOptions, match="needs approval ballots"):
        allocate(instance.election, instance.ballots, "phragmen")


@given(instances(ALL_TYPES), st.sampled_from(MY_RULES), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(instance, rule, random):
    if not runs(instance, rule):
        return
    shuffled = list(instance.ballots)
    random.shuffle(shuffled)
    options = options_for(rule, 2)
    assert allocate(instance.election, shuffled, rule, options) == allocate(
        instance.election, instance.ballots, rule, options
    )


def values(instance: Instance, satisfaction: Satisfaction) -> dict[str, int]:
    """Each project's worth: cost x supporters, or supporters (counted directly from the ballots)."""
    support = {p.id: sum(1 for b in instance.ballots if p.id in b.selections) for p in instance.election.projects}
    if satisfaction == Satisfaction.COST:
        return {p.id: p.cost * support[p.id] for p in instance.election.projects}
    return support


@given(instances(ALL_TYPES), st.sampled_from(list(Satisfaction)))
def test_max_welfare_at_least_greedy(instance, satisfaction):
    worth = values(instance, satisfaction)
    best = allocate(instance.election, instance.ballots, "max-welfare", RuleOptions(satisfaction=satisfaction))
    for rule in ("greedy", "greedy-per-cost", "greedy-no-skip"):
        other = allocate(instance.election, instance.ballots, rule)
        assert sum(worth[p] for p in best.selected) >= sum(worth[p] for p in other.selected)


def preferred(a: frozenset[str], b: frozenset[str], rank: dict[str, int]) -> frozenset[str]:
    """Of two different sets, the one holding the first project (in tie-break order) that only one of them funds."""
    first = min(a ^ b, key=rank.__getitem__)
    return a if first in a else b


@given(instances(ALL_TYPES, max_projects=7), st.sampled_from(list(Satisfaction)))
def test_max_welfare_is_brute_force(instance, satisfaction):
    election = instance.election
    worth = values(instance, satisfaction)
    options = RuleOptions(satisfaction=satisfaction)
    support = compile_profile(election, instance.ballots).support_by_id()
    rank = options.tie_break.rank(election.projects, support)
    candidates = [p for p in election.projects if worth[p.id] > 0]
    feasible = [
        frozenset(p.id for p in subset)
        for size in range(len(candidates) + 1)
        for subset in itertools.combinations(candidates, size)
        if sum(p.cost for p in subset) <= election.budget
    ]
    top = max(sum(worth[p] for p in s) for s in feasible)
    optima = [s for s in feasible if sum(worth[p] for p in s) == top]
    chosen = optima[0]
    for other in optima[1:]:
        chosen = preferred(chosen, other, rank)
    allocation = allocate(election, instance.ballots, "max-welfare", options)
    assert allocation.details["welfare"] == top
    assert frozenset(allocation.selected) == chosen
    assert bool(allocation.ties) == (len(optima) > 1)


@given(instances(ALL_TYPES))
def test_no_skip_is_a_prefix_of_greedy(instance):
    full = allocate(instance.election, instance.ballots, "greedy")
    stopped = allocate(instance.election, instance.ballots, "greedy-no-skip")
    k = len(stopped.selected)
    assert list(stopped.selected) == full.details["order"][:k] == list(full.selected[:k])


@given(instances(ALL_TYPES, min_cost=1))
def test_per_cost_order_is_the_exact_ratio_order(instance):
    allocation = allocate(instance.election, instance.ballots, "greedy-per-cost")
    scores = allocation.details["scores"]
    ratio = {p.id: Fraction(scores[p.id], p.cost) for p in instance.election.projects}
    order = allocation.details["order"]
    assert all(ratio[a] >= ratio[b] for a, b in itertools.pairwise(order))


@given(instances(ALL_TYPES), st.integers(0, 8))
def test_threshold_funds_only_qualified_projects_greedily(instance, threshold):
    limited = allocate(instance.election, instance.ballots, "greedy-threshold", RuleOptions(threshold=threshold))
    full = allocate(instance.election, instance.ballots, "greedy")
    scores = full.details["scores"]
    qualified = [p for p in full.details["order"] if scores[p] >= threshold]
    assert all(scores[p] >= threshold for p in limited.selected)
    left, expected = instance.election.budget, []
    for pid in qualified:
        if instance.election.project(pid).cost <= left:
            expected.append(pid)
            left -= instance.election.project(pid).cost
    assert list(limited.selected) == expected


@given(instances((VoteType.APPROVAL,)))
def test_phragmen_loads_never_decrease(instance):
    rounds = allocate(instance.election, instance.ballots, "phragmen").details["rounds"]
    loads = [Fraction(r["load"]) for r in rounds]
    assert loads == sorted(loads)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(-3, 40)), max_size=9),
    st.integers(0, 80),
    st.randoms(use_true_random=False),
)
def test_numpy_knapsack_matches_the_reference(items, budget, random):
    costs, worth = [c for c, _ in items], [v for _, v in items]
    ranks = list(range(len(items)))
    random.shuffle(ranks)
    fast = solve_knapsack(costs, worth, budget, ranks)
    slow = solve_knapsack(costs, worth, budget, ranks, vectorized=False)
    assert (fast.chosen, fast.value, fast.rival is None) == (slow.chosen, slow.value, slow.rival is None)
    for solution in (fast, slow):
        if solution.rival is not None:
            assert solution.rival != solution.chosen
            assert sum(costs[i] for i in solution.rival) <= budget
            assert sum(worth[i] for i in solution.rival) == solution.value


def naive_phragmen(instance: Instance) -> list[str]:
    """Sequential Phragmén from its definition: one load per voter, no grouping; ties by the tie-break order."""
    election, ballots = instance.election, instance.ballots
    support = {p.id: sum(1 for b in ballots if p.id in b.selections) for p in election.projects}
    rank = RuleOptions().tie_break.rank(election.projects, support)
    load = [Fraction(0)] * len(ballots)
    due = {p.id for p in election.projects if support[p.id] and p.cost <= election.budget}
    chosen, spent = [], 0
    while due:
        new = {
            p: (election.project(p).cost + sum(load[v] for v, b in enumerate(ballots) if p in b.selections))
            / support[p]
            for p in due
        }
        least = min(new.values())
        tied = sorted((p for p in due if new[p] == least), key=rank.__getitem__)
        if any(spent + election.project(p).cost > election.budget for p in tied):
            break
        chosen.append(tied[0])
        spent += election.project(tied[0]).cost
        due.discard(tied[0])
        for v, b in enumerate(ballots):
            if tied[0] in b.selections:
                load[v] = least
    return chosen


@given(instances((VoteType.APPROVAL,), max_ballots=12))
def test_phragmen_matches_its_definition(instance):
    assert list(allocate(instance.election, instance.ballots, "phragmen").selected) == naive_phragmen(instance)


OTHER_ORDERS = [TieBreak(("max-cost", "min-support")), TieBreak(("lot:1",)), TieBreak(("lot:2",))]


@given(instances(ALL_TYPES, max_cost=6), st.sampled_from(MY_RULES))
def test_without_a_reported_tie_the_tie_break_changes_nothing(instance, rule):
    if not runs(instance, rule):
        return
    first = allocate(instance.election, instance.ballots, rule, options_for(rule, 2))
    if first.ties:
        return
    for order in OTHER_ORDERS:
        other = allocate(instance.election, instance.ballots, rule, replace(options_for(rule, 2), tie_break=order))
        assert set(other.selected) == set(first.selected)


def test_my_rules_are_registered():
    assert set(MY_RULES) <= set(RULES)
