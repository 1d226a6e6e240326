"""The pieces behind `mes`: utilities, the greedy fill, the popularity count, the exact price."""

from __future__ import annotations

from fractions import Fraction

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from tally._mes_compare import popularity
from tally._mes_exact import price, price_reference
from tally._mes_greedy import greedy_fill, scores
from tally._mes_instance import build_instance
from tally.options import Satisfaction
from tally.profile import compile_profile

P = ProjectId


def compiled_points():
    election = Election(
        100,
        (Project(P("a"), 10), Project(P("b"), 20)),
        BallotRules(vote_type=VoteType.CUMULATIVE),
    )
    ballots = [Ballot("1", (P("a"), P("b")), (2, 0)), Ballot("2", (P("b"),), (5,))]
    return compile_profile(election, ballots)


def test_points_scale_utilities_and_zero_points_do_not_support():
    compiled = compiled_points()
    cost = build_instance(compiled, 100, Satisfaction.COST, (0, 1))
    card = build_instance(compiled, 100, Satisfaction.CARDINALITY, (0, 1))
    # Groups are sorted ballots: group 0 is ballot "1" ((0, 1) with points (2, 0)), group 1 ballot "2".
    assert list(cost.supporters[0]) == [(0, 1, 2 * 10)]
    assert list(cost.supporters[1]) == [(1, 1, 5 * 20)]  # ballot "1" gave b zero points: not a supporter
    assert list(card.supporters[0]) == [(0, 1, 2)]
    assert list(card.supporters[1]) == [(1, 1, 5)]


def test_greedy_scores_are_points_or_approvals():
    assert scores(compiled_points()) == (2, 5)


def test_greedy_fill_skips_what_does_not_fit_and_records_ties():
    # Costs 50, 60, 40, 10; scores 3, 3, 3, 0; budget 100; rank = index order. Queue by score then rank:
    # 0 (fits, 50 left; rivals 1 and 2 have the same score and fit: a tie), 1 (60 > 50, skipped),
    # 2 (fits, 10 left; no rival left), 3 has score 0 and is never funded.
    added, ties = greedy_fill([50, 60, 40, 10], [3, 3, 3, 0], [0, 1, 2, 3], 100, [])
    assert added == [0, 2]
    assert ties == [(0, (0, 1, 2), 3)]


def test_greedy_fill_counts_what_is_already_funded():
    added, _ = greedy_fill([50, 60, 40], [1, 2, 3], [0, 1, 2], 100, [1])
    assert added == [2]  # 60 spent, 40 fits, then 50 does not


def test_popularity_counts_indifferent_voters_for_both():
    compiled = compiled_points()
    instance = build_instance(compiled, 100, Satisfaction.CARDINALITY, (0, 1))
    # Voter 1 gains 2 from {a}, voter 2 gains 5 from {b}: each backs one outcome.
    assert popularity(instance, [0], [1]) == (1, 1)
    # The same outcome twice: everyone is indifferent and backs both.
    assert popularity(instance, [0, 1], [1, 0]) == (2, 2)


def test_price_pays_the_poor_all_they_have():
    # Cost 30 shared by three voters with utility 30: an equal 10 is more than the first voter's 5, so she pays
    # 5 and the other two pay 12.5 each: cap 25/2, rho = cap / 30 = 5/12.
    supporters = [(0, 1, 30), (1, 1, 30), (2, 1, 30)]
    budgets = [Fraction(5), Fraction(20), Fraction(20)]
    assert price(30, supporters, budgets) == price_reference(30, supporters, budgets) == Fraction(5, 12)
    # They hold 45 in all: 46 is unaffordable; 45 drains everyone, and the richest pay 20 = rho * 30.
    assert price(46, supporters, budgets) is None
    assert price(45, supporters, budgets) == Fraction(20, 30)


def test_price_decides_money_equal_to_cost_exactly():
    # Ten voters with 1/10 each can pay exactly 1, but ten float 0.1s add up to 0.9999999999999999: the float
    # hint alone would call the project unaffordable. Everyone pays all: rho = 1/10 per unit of utility.
    supporters = [(g, 1, 1) for g in range(10)]
    budgets = [Fraction(1, 10) for _ in range(10)]
    assert sum(float(b) for b in budgets) < 1
    assert price(1, supporters, budgets) == price_reference(1, supporters, budgets) == Fraction(1, 10)
