"""Hand-worked MES examples from the literature; the hand computation sits beside each one.

Sources:
- [W] the "51% red / 49% blue" example that equalshares.net and the Wikipedia / electowiki article "Method of
  Equal Shares" use to motivate the rule: MES "would pick 5 blue and 5 red projects".
- [PPS] Peters, Pierczyński, Skowron, "Proportional participatory budgeting with additive utilities", NeurIPS
  2021, Section 3 (voter i pays min(b_i, rho * u_i(c)); the project with the least rho is funded).
- [EQ] equalshares.net/explanation: equal shares; a project costing more than its supporters' combined share is
  removed; the comparison step keeps the greedy outcome when a majority of voters prefers it.
"""

from __future__ import annotations

import pytest

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import TieBreak
from tally.mes import mes
from tally.options import Completion, RuleOptions, Satisfaction


def election(budget, costs, vote_type=VoteType.APPROVAL):
    projects = tuple(Project(ProjectId(pid), cost) for pid, cost in costs.items())
    return Election(budget, projects, BallotRules(vote_type=vote_type))


def ballots(groups):
    """`groups`: (count, projects) pairs, or (count, projects, points) for points ballots."""
    out = []
    for number, group in enumerate(groups):
        count, chosen, *points = group
        out.extend(
            Ballot(f"{number}-{i}", tuple(ProjectId(p) for p in chosen), tuple(points[0]) if points else ())
            for i in range(count)
        )
    return out


RED = [f"r{i}" for i in range(10)]
BLUE = [f"b{i}" for i in range(10)]


@pytest.fixture(name="red_blue")
def fx_red_blue():
    # [W]: 100 voters; 51 approve the 10 red projects, 49 the 10 blue ones; each costs 100; budget 1000.
    return election(1000, dict.fromkeys(RED + BLUE, 100)), ballots([(51, RED), (49, BLUE)])


def test_red_blue_plain_mes(red_blue):
    # Each voter has 1000/100 = 10. A red project costs each of its 51 supporters 100/51 (rho 1/51 per unit of
    # cost utility), a blue one 100/49 (rho 1/49): reds go first. After 5 reds a red voter has spent 500/51 and
    # holds 10/51; the 51 hold 10 < 100, so no sixth red. The 49 blue voters hold 490: 4 blues (400), 90 left.
    allocation = mes(*red_blue, RuleOptions(completion=Completion.NONE))
    assert allocation.selected == (*RED[:5], *BLUE[:4])
    first = allocation.details["rounds"][0]
    assert first == {
        "project": "r0",
        "cost": 100,
        "phase": "mes",
        "rho": "1/51",
        "payment_cap": "100/51",
        "payers": 51,
        "exhausted": 0,
        "paid": "100",
    }
    assert allocation.details["rounds"][5]["rho"] == "1/49"
    # The ten reds tie at rho 1/51 in round 0: the tie-break (cost, support, then id) picks r0.
    assert allocation.ties[0].candidates == tuple(RED)
    assert allocation.ties[0].reason == "rho 1/51"


def test_red_blue_add1_gives_five_and_five(red_blue):
    # Add1: at 11 per voter the reds hold 561 (5 reds, 61 left), the blues 539 (5 blues): cost 1000, within the
    # budget. At 12 the reds hold 612: 6 reds + 5 blues = 1100 > 1000, so Add1 stops and keeps 11 (1 raise).
    allocation = mes(*red_blue, RuleOptions(completion=Completion.ADD1))
    assert sorted(allocation.selected) == sorted(RED[:5] + BLUE[:5])
    assert allocation.details["add1_increments"] == 1
    assert allocation.details["voter_budget"] == "11"
    assert allocation.details["start_voter_budget"] == "10"
    assert {r["phase"] for r in allocation.details["rounds"]} == {"add1"}


def test_red_blue_comparison_keeps_what_the_majority_prefers(red_blue):
    # [EQ] comparison: greedy funds the 10 reds (51 votes each). Red voters get 1000 from greedy and 500 from
    # MES+Add1: 51 prefer greedy; blue voters get 500 from MES and 0 from greedy: 49 prefer MES. 51 > 49.
    allocation = mes(*red_blue, RuleOptions(completion=Completion.ADD1, comparison=True))
    assert allocation.selected == tuple(RED)
    assert allocation.details["comparison"] == {"mes_backers": 49, "greedy_backers": 51, "kept": "greedy"}
    assert {r["phase"] for r in allocation.details["rounds"]} == {"greedy"}


def test_indifferent_voters_back_both_outcomes():
    # Same as above plus 3 voters approving nothing: indifferent, they back both outcomes (pabutools'
    # popularity_comparison), so 52 vs 54 and greedy is still kept. Each voter now has 1000/103.
    costs = dict.fromkeys(RED + BLUE, 100)
    allocation = mes(election(1000, costs), ballots([(51, RED), (49, BLUE), (3, [])]), RuleOptions(comparison=True))
    assert allocation.details["comparison"] == {"mes_backers": 52, "greedy_backers": 54, "kept": "greedy"}


# [PPS] with one voter running out: budget 100, 4 voters with 25 each.
#   P costs 32, approved by v1, v2; Q costs 45, approved by v2, v3, v4; R costs 34, approved by v3, v4.
SMALL = {"P": 32, "Q": 45, "R": 34}
SMALL_VOTES = [(1, ["P"]), (1, ["P", "Q"]), (2, ["Q", "R"])]


@pytest.mark.parametrize(
    ("satisfaction", "rhos"),
    [
        # cardinality: round 0 caps are Q 45/3 = 15, P 32/2 = 16, R 34/2 = 17, so Q; v2, v3, v4 keep 10.
        # Round 1: R's supporters hold 20 < 34 (removed); P: an equal 16 is more than v2's 10, so v2 pays 10
        # and v1 pays the rest, 22 <= 25: rho 22. One of the two payers ran out.
        (Satisfaction.CARDINALITY, ["15", "22"]),
        # cost: rho = cap / cost: Q 15/45 = 1/3, P 16/32 = 1/2, R 17/34 = 1/2: Q first; then P at 22/32 = 11/16.
        (Satisfaction.COST, ["1/3", "11/16"]),
    ],
)
def test_small_plain_mes(satisfaction, rhos):
    allocation = mes(
        election(100, SMALL),
        ballots(SMALL_VOTES),
        RuleOptions(satisfaction=satisfaction, completion=Completion.NONE),
    )
    assert allocation.selected == ("Q", "P")
    rounds = allocation.details["rounds"]
    assert [r["rho"] for r in rounds] == rhos
    assert [r["payment_cap"] for r in rounds] == ["15", "22"]
    assert [(r["payers"], r["exhausted"], r["paid"]) for r in rounds] == [(3, 0, "45"), (2, 1, "32")]
    assert allocation.total_cost == 77
    assert allocation.ties == ()


def test_small_add1_keeps_the_last_outcome_within_budget():
    # With 25 + k each, Q goes first (cap 15), leaving v3, v4 with 10 + k each: R (34) becomes affordable at
    # k = 7, when P (cap 16 <= v2's 17) and R (cap 17) are both funded: 45 + 32 + 34 = 111 > 100. For k = 0..6
    # the outcome is {Q, P} (77), so Add1 keeps k = 6: each voter 31. At k = 6, P's equal share 16 is exactly
    # v2's 16 left, so v2 pays everything (exhausted) and rho is 16 with no one below the share.
    allocation = mes(
        election(100, SMALL),
        ballots(SMALL_VOTES),
        RuleOptions(satisfaction=Satisfaction.CARDINALITY, completion=Completion.ADD1),
    )
    assert allocation.selected == ("Q", "P")
    assert allocation.details["add1_increments"] == 6
    assert allocation.details["voter_budget"] == "31"
    assert [(r["rho"], r["payers"], r["exhausted"]) for r in allocation.details["rounds"]] == [
        ("15", 3, 0),
        ("16", 2, 1),
    ]


def test_greedy_completion_fills_what_fits():
    # Votes: Q 3, P 2, R 2, S 1. Plain MES funds Q and P (77); 23 is left. Greedy by votes over what is left:
    # R (34) does not fit, S (20) does. No tie is recorded: R does not fit, and S has no equal.
    costs = {**SMALL, "S": 20}
    allocation = mes(
        election(100, costs),
        ballots([(1, ["P"]), (1, ["P", "Q"]), (1, ["Q", "R"]), (1, ["Q", "R", "S"])]),
        RuleOptions(satisfaction=Satisfaction.CARDINALITY, completion=Completion.GREEDY),
    )
    # Round 0: caps Q 15, P 16, R 17, S 20 (v4 alone, 25): Q. v2..v4 keep 10. Round 1: P: v2 pays 10, v1 22;
    # R: 20 < 34 removed; S: v4 has 10 < 20 removed. Then greedy: S fits (77 + 20 = 97).
    assert allocation.selected == ("Q", "P", "S")
    assert allocation.details["rounds"][2] == {"project": "S", "cost": 20, "phase": "greedy", "score": 1}


def test_points_scale_utilities():
    # Cumulative ballots, cardinality: budget 60, two voters with 30 each. A costs 40; v1 gives it 3 points, v2
    # gives it 1. B costs 20 and gets 1 point from v2. A: pay min(30, 3 rho) + min(30, rho) = 40 gives rho 10
    # (v1 pays 30 = all it has, v2 pays 10). B: rho 20. A first; then v2 pays its last 20 for B.
    allocation = mes(
        election(60, {"A": 40, "B": 20}, VoteType.CUMULATIVE),
        ballots([(1, ["A"], [3]), (1, ["A", "B"], [1, 1])]),
        RuleOptions(satisfaction=Satisfaction.CARDINALITY, completion=Completion.NONE),
    )
    assert allocation.selected == ("A", "B")
    assert [(r["rho"], r["payers"], r["exhausted"]) for r in allocation.details["rounds"]] == [
        ("10", 2, 1),
        ("20", 1, 1),
    ]


def test_project_beyond_its_supporters_share_is_removed():
    # [EQ]: budget 1 000 000 and 100 000 voters: a share of 10 each. A project costing 10 000 with 500 votes
    # has a combined share of 5 000 and is removed; one costing 4 000 with the same 500 voters is funded.
    # Scaled down 100x to keep the test fast: budget 10 000, 1 000 voters, 5 supporters, projects 100 and 40.
    allocation = mes(
        election(10_000, {"big": 100, "small": 40}),
        ballots([(5, ["big", "small"]), (995, [])]),
        RuleOptions(completion=Completion.NONE),
    )
    assert allocation.selected == ("small",)
    assert allocation.details["rounds"][0]["payment_cap"] == "8"


def test_tie_break_order_decides_and_is_recorded():
    # Two projects of cost 10, each approved by the same 2 voters (budget 20, 10 each): equal rho 1/20 (cap 5),
    # an exact tie. With `max-cost` first, then id, "a" and "b" still tie on cost, so the id decides: "a" goes
    # first (the election lists "b" first, which must not matter). Then each voter has 5 and "b" is funded too.
    allocation = mes(
        election(20, {"b": 10, "a": 10}),
        ballots([(2, ["a", "b"])]),
        RuleOptions(completion=Completion.NONE, tie_break=TieBreak(("max-cost",))),
    )
    assert allocation.selected == ("a", "b")
    assert allocation.ties[0].candidates == ("a", "b")
    assert allocation.ties[0].tie_break == "max-cost,id"


def test_add1_crosses_a_calm_stretch_in_one_step():
    # Budget 100, 10 voters with 10 each. A costs 50 and all approve it: each pays 5 (rho 1/10), nobody runs
    # out. X costs 10**9 and only voter 0 approves it (rho 1 at best). Each raise k funds A alone (cost 50) until
    # voter 0 holds 10**9 after paying 5: 10 + k - 5 >= 10**9 at k = 10**9 - 5, where A + X overspend. Add1 keeps
    # k = 10**9 - 6 (voter budget 10**9 + 4). Stepping one unit at a time would take a billion MES runs.
    allocation = mes(
        election(100, {"A": 50, "X": 10**9}),
        ballots([(1, ["A", "X"]), (9, ["A"])]),
        RuleOptions(completion=Completion.ADD1),
    )
    assert allocation.selected == ("A",)
    assert allocation.details["add1_increments"] == 10**9 - 6
    assert allocation.details["voter_budget"] == str(10**9 + 4)
    assert allocation.details["rounds"][0]["rho"] == "1/10"
