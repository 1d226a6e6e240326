"""Properties of MES that any correct implementation has, checked on Hypothesis-built elections."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import DEFAULT_TIE_BREAK, natural_key
from tally._mes_add1 import Solver, run_add1
from tally._mes_compare import popularity
from tally._mes_exact import replay_exact, run_exact
from tally._mes_fast import FastInstance, run_fast, run_fast_full
from tally._mes_greedy import scores
from tally._mes_instance import MesInstance, build_instance
from tally._mes_replay import replay
from tally._mes_stable import stable_raises
from tally.mes import mes
from tally.options import Completion, RuleOptions, Satisfaction
from tally.profile import compile_profile
from tests.property.mes_strategies import elections, exhausting_instances, instances, roomy_instances


@given(
    elections(points=False) | elections(points=True),
    st.sampled_from(list(Completion)),
    st.sampled_from(list(Satisfaction)),
    st.booleans(),
)
def test_never_over_budget(case, completion, satisfaction, comparison):
    election, ballots = case
    options = RuleOptions(satisfaction=satisfaction, completion=completion, comparison=comparison)
    allocation = mes(election, ballots, options)
    assert allocation.total_cost <= election.budget
    assert len(set(allocation.selected)) == len(allocation.selected)


@given(elections(points=False) | elections(points=True), st.sampled_from(list(Completion)), st.randoms())
def test_ballot_order_does_not_matter(case, completion, rnd):
    election, ballots = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    options = RuleOptions(completion=completion)
    assert mes(election, ballots, options).to_json_value() == mes(election, shuffled, options).to_json_value()


@given(instances(), st.integers(0, 3))
def test_fast_path_equals_exact_reference(instance, raises):
    start = Fraction(instance.budget, instance.voters) + raises
    reference = run_exact(instance, start)
    fast = FastInstance.of(instance)
    order, ties = run_fast(fast, start)
    assert order == reference.order
    assert tuple(ties) == reference.ties
    assert replay_exact(instance, start, order).rounds == reference.rounds
    assert replay(fast, start, order).rounds == reference.rounds


def committee_mes(candidates, approvals, size):
    """The committee Method of Equal Shares (Peters & Skowron's Rule X; Lackner & Skowron, "Multi-Winner
    Voting with Approval Preferences", 2023, Sec. 2.2), without completion: each voter has size/n; a candidate
    is rho-affordable if its approvers, paying min(budget, rho) each, can pay 1; the least rho wins; ties go
    to the candidate with more approvers, then the smaller id (pbvote's default order with unit costs).
    """
    n = len(approvals)
    budgets = [Fraction(size, n)] * n
    committee = []
    while True:
        best = None
        for c in sorted(set(candidates) - set(committee), key=lambda c: (-sum(c in a for a in approvals), c)):
            voters = sorted((i for i, a in enumerate(approvals) if c in a), key=lambda i: budgets[i])
            if sum(budgets[i] for i in voters) < 1:
                continue
            left, rest = Fraction(1), len(voters)
            for i in voters:  # the poorest pay everything while they cannot pay an equal share of what is left
                if budgets[i] < left / rest:
                    left, rest = left - budgets[i], rest - 1
            rho = left / rest
            if best is None or rho < best[0]:
                best = (rho, c)
        if best is None:
            return committee
        rho, c = best
        for i, a in enumerate(approvals):
            if c in a:
                budgets[i] -= min(budgets[i], rho)
        committee.append(c)


@given(elections(unit_costs=True), st.sampled_from(list(Satisfaction)))
def test_unit_costs_match_committee_equal_shares(case, satisfaction):
    election, ballots = case
    options = RuleOptions(satisfaction=satisfaction, completion=Completion.NONE)
    allocation = mes(election, ballots, options)
    candidates = [p.id for p in election.projects]
    approvals = [set(b.selections) for b in ballots]
    expected = committee_mes(candidates, approvals, election.budget) if ballots else []
    assert list(allocation.selected) == expected


def test_committee_reference_sorts_like_pbvote():
    # The test's committee rule breaks ties by the smaller id as a string; the ids p0..p5 sort the same way in
    # pbvote's natural order, so both rules use one tie order.
    ids = [f"p{j}" for j in range(6)]
    assert sorted(ids) == sorted(ids, key=natural_key)


def test_fast_path_defers_float_near_ties_to_exact_arithmetic():
    # Costs 1 and 5 with cost utilities, each paid by the same 3 voters: rho is 1/3 for both, an exact tie that
    # the tie-break gives to project 1. In floats (1/3)/1 = 0.3333333333333333 but (5/3)/5 = 0.33333333333333337,
    # so a float comparison alone would fund project 0 first.
    instance = MesInstance((1, 5), (((0, 3, 1),), ((0, 3, 5),)), (3,), 3, 100, (1, 0))
    start = Fraction(100, 3)
    reference = run_exact(instance, start)
    assert reference.order == (1, 0)
    assert reference.ties == ((0, (1, 0), Fraction(1, 3)),)
    order, ties = run_fast(FastInstance.of(instance), start)
    assert (order, tuple(ties)) == (reference.order, reference.ties)


@given(
    instances() | roomy_instances(),
    st.integers(0, 3),
    st.lists(st.fractions(0, 3, max_denominator=7), min_size=1, max_size=6),
)
def test_runs_at_lower_budgets_change_nothing(instance, raises, steps):
    # Add1 passes each run the one at the budget below (its notes bound prices): a chain of such runs at rising
    # budgets must each give the exact reference's order and ties, including on the near-ties built here.
    fast = FastInstance.of(instance)
    start = Fraction(instance.budget, instance.voters) + raises
    below = run_fast_full(fast, start, keep_notes=True)
    for step in steps:
        start += step
        run = run_fast_full(fast, start, below, keep_notes=True)
        reference = run_exact(instance, start)
        assert (run.order, run.ties) == (reference.order, reference.ties)
        below = run


def test_fast_path_defers_money_equal_to_cost_to_exact_arithmetic():
    # Six voters with 1/6 each can pay exactly 1, but numpy's dot of six float 1/6s is 0.9999999999999999.
    instance = MesInstance((1,), (tuple((g, 1, 1) for g in range(6)),), (1,) * 6, 6, 1, (0,))
    assert float(np.dot(np.ones(6), np.full(6, 1 / 6))) < 1
    assert run_exact(instance, Fraction(1, 6)).order == (0,)
    assert run_fast(FastInstance.of(instance), Fraction(1, 6))[0] == (0,)
    assert replay(FastInstance.of(instance), Fraction(1, 6), (0,)).rounds[0].exhausted == 6


P = ProjectId


def stepwise_add1(instance):
    """Add1 by definition: one exact MES run per unit raise, until the outcome overspends or funds everything."""
    start = Fraction(instance.budget, max(instance.voters, 1))
    supported = {j for j in range(instance.projects) if instance.supporters[j]}
    kept, raises = 0, 0
    while True:
        order = run_exact(instance, start + raises).order
        if sum(instance.costs[j] for j in order) > instance.budget:
            return kept, run_exact(instance, start + kept).order
        kept = raises
        if set(order) == supported:
            return kept, order
        raises += 1


# Found by the `deep` profile when the skip ignored whether anyone ran out: 8 voters with 3 each, one of them
# runs out paying for p1, so a raise changes more than the end budgets and the skip overshot by one raise.
UNEVEN = (
    Election(24, (Project(P("p0"), 11), Project(P("p1"), 7)), BallotRules(vote_type=VoteType.CUMULATIVE)),
    [
        *(Ballot(str(i), ()) for i in (0, 1, 3, 4, 5)),
        Ballot("2", (P("p0"), P("p1")), (0, 1)),
        Ballot("6", (P("p0"), P("p1")), (2, 1)),
        Ballot("7", (P("p0"),), (1,)),
    ],
)


@example(case=UNEVEN, satisfaction=Satisfaction.COST)
@given(elections(points=False) | elections(points=True), st.sampled_from(list(Satisfaction)))
def test_add1_equals_stepping_one_unit_at_a_time(case, satisfaction):
    election, ballots = case
    compiled = compile_profile(election, ballots)
    places = DEFAULT_TIE_BREAK.rank(election.projects, compiled.support_by_id())
    instance = build_instance(compiled, election.budget, satisfaction, tuple(places[p] for p in compiled.project_ids))
    raises, run = run_add1(Solver.of(instance))
    assert (raises, run.order) == stepwise_add1(instance)


@settings(max_examples=40)
@given(roomy_instances(top=3000))
def test_add1_equals_stepping_one_unit_at_a_time_with_many_raises(instance):
    # Voter budgets large next to one unit: tens to hundreds of raises, each run sped up by the one below.
    raises, run = run_add1(Solver.of(instance))
    assert (raises, run.order) == stepwise_add1(instance)


@given(elections(points=False) | elections(points=True), st.sampled_from(list(Satisfaction)), st.randoms())
def test_greedy_scores_and_popularity_count_every_ballot(case, satisfaction, rnd):
    # The numpy counts against one loop over the ballots as cast.
    election, ballots = case
    compiled = compile_profile(election, ballots)
    index = {pid: j for j, pid in enumerate(compiled.project_ids)}
    expected = [0] * len(index)
    for ballot in ballots:
        for position, pid in enumerate(ballot.selections):
            expected[index[pid]] += ballot.points[position] if ballot.points else 1
    assert list(scores(compiled)) == expected
    instance = build_instance(compiled, election.budget, satisfaction, tuple(range(len(index))))
    first = [j for j in range(len(index)) if rnd.random() < 0.5]
    second = [j for j in range(len(index)) if rnd.random() < 0.5]
    gain = dict.fromkeys(range(len(instance.weights)), 0)
    for j in set(first) ^ set(second):
        for g, _, u in instance.supporters[j]:
            gain[g] += u if j in first else -u
    backs = (
        sum(w for g, w in enumerate(instance.weights) if gain[g] >= 0),
        sum(w for g, w in enumerate(instance.weights) if gain[g] <= 0),
    )
    assert popularity(instance, first, second) == backs


@given(instances() | roomy_instances(), st.fractions(Fraction(1, 2), 1), st.integers(0, 3), st.randoms())
def test_a_run_that_parts_from_its_hint_changes_nothing(instance, fraction, raises, rnd):
    # The hint is a run at a lower voter budget under another tie-break order, so its rounds part from this
    # run's early and often (at every exact tie): its notes bound prices whatever the budgets, those passed on
    # from rounds that parted are vague (checked before `follow` relies on them), and each choice is the exact
    # reference's, here and one unit higher.
    fast = FastInstance.of(instance)
    start = Fraction(instance.budget, instance.voters) + raises
    rank = list(instance.rank)
    rnd.shuffle(rank)
    other = FastInstance.of(replace(instance, rank=tuple(rank)))
    run = run_fast_full(fast, start, run_fast_full(other, start * fraction, keep_notes=True), keep_notes=True)
    for run_start in (start, start + 1):
        reference = run_exact(instance, run_start)
        assert (run.order, run.ties) == (reference.order, reference.ties)
        run = run_fast_full(fast, run_start + 1, run, keep_notes=True)


@settings(max_examples=150)
@given(instances() | roomy_instances(top=3000) | exhausting_instances(), st.integers(0, 40))
def test_a_stride_never_claims_a_raise_that_changes_the_order(instance, raises):
    # `stable_raises` says how many raises keep a run's rounds; the exact reference at each of them must agree.
    fast = FastInstance.of(instance)
    start = Fraction(instance.budget, instance.voters) + raises
    run = run_fast_full(fast, start)
    stride = stable_raises(fast, run)
    assert stride >= 1
    claimed = set(range(1, min(stride, 40))) | {stride // 2, stride - 1}
    for t in sorted(claimed - {0}):
        assert run_exact(instance, start + t).order == run.order, t


@settings(max_examples=80)
@given(roomy_instances(top=3000) | exhausting_instances())
def test_add1_striding_from_the_first_raise_equals_stepping(instance):
    # Strides are asked at every raise here (real files ask only when stepping is long): same outcome.
    raises, run = run_add1(Solver.of(instance), always_stride=True)
    assert (raises, run.order) == stepwise_add1(instance)


def settled_tie_instance():
    """Worked by hand: a tie between a project whose supporter ran out exactly and one nobody runs out on.

    14 voters with 12 each (budget 168), cost satisfaction. s (cost 25; voters 0, 7, 8, 11, 12) goes first at
    rho 1/5: each pays 5, voter 0 keeps 7. r (cost 40; voters 0, 9, 10, 13) comes next: a share of 10 each, but
    voter 0 has 7, pays it and runs out; the other three pay 11 each, rho 11/40. Then p (cost 6; voters 0, 1, 2)
    costs 3 to each of 1 and 2 (rho 1/2, voter 0 has nothing) and q (cost 4; voters 3, 4) 2 to each (rho 1/2):
    an exact tie, decided by rank (q first here), then p.
    """
    voters = 14
    members = {0: (0, 7, 8, 11, 12), 1: (0, 9, 10, 13), 2: (0, 1, 2), 3: (3, 4)}
    costs = (25, 40, 6, 4)
    supporters = tuple(tuple((g, 1, costs[j]) for g in members[j]) for j in range(4))
    return MesInstance(costs, supporters, (1,) * voters, voters, 12 * voters, (0, 1, 3, 2))


def test_a_tie_with_a_supporter_at_exactly_nothing_is_decided_without_replaying(monkeypatch):
    instance = settled_tie_instance()
    start = Fraction(12)
    reference = run_exact(instance, start)
    assert reference.order == (0, 1, 3, 2)
    assert reference.ties == ((2, (3, 2), Fraction(1, 2)),)

    def replaying(*_args, **_kwargs):
        raise AssertionError("the tie needed the exact replay")

    monkeypatch.setattr("tally._mes_fast._Exact.round", replaying)
    order, ties = run_fast(FastInstance.of(instance), start)
    assert (order, tuple(ties)) == (reference.order, reference.ties)
