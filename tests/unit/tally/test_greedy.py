"""The greedy family: scores by vote type, exact per-cost order, threshold, ties, parameter checks."""

from __future__ import annotations

import pytest

from pbvote.ballot import Ballot, VoteType
from pbvote.canonical import canonical_json
from pbvote.election import BallotRules, Election
from pbvote.errors import InvalidRuleOptions
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import TieBreak
from tally.options import RuleOptions
from tally.registry import RULES, allocate


def election(costs: dict[str, int], budget: int, vote_type: VoteType = VoteType.APPROVAL, **meta: str) -> Election:
    projects = tuple(Project(ProjectId(pid), cost) for pid, cost in costs.items())
    return Election(budget, projects, BallotRules(vote_type), meta=meta)


def approvals(*ballots: str) -> list[Ballot]:
    return [Ballot(f"v{n}", tuple(ProjectId(p) for p in b.split())) for n, b in enumerate(ballots, start=1)]


def test_tie_that_decides_is_recorded_with_its_order():
    # a and b both have 2 votes and cost 6; budget 10 funds one of them. min-cost ties, max-support ties, so the
    # id decides: a. c (1 vote, 4) then fits. The tie decided b's fate: recorded at step 0.
    e = election({"a": 6, "b": 6, "c": 4}, 10)
    result = allocate(e, approvals("a b", "a b c"), "greedy")
    assert result.selected == ("a", "c")
    assert [(t.step, t.candidates, t.reason, t.tie_break) for t in result.ties] == [
        (0, ("a", "b"), "score 2", "min-cost,max-support,id")
    ]


def test_tie_break_order_changes_who_wins_a_tie():
    # a (6) and b (4) both 2 votes, budget 6: min-cost funds b; max-cost funds a.
    e = election({"a": 6, "b": 4}, 6)
    ballots = approvals("a b", "a b")
    assert allocate(e, ballots, "greedy").selected == ("b",)
    assert allocate(e, ballots, "greedy", RuleOptions(tie_break=TieBreak(("max-cost",)))).selected == ("a",)


def test_tie_with_one_fate_is_not_recorded():
    e = election({"a": 1, "b": 1}, 10)
    assert allocate(e, approvals("a b"), "greedy").ties == ()


def test_per_cost_puts_free_projects_first_and_unsupported_ones_last():
    # f is free with 1 vote (infinite ratio); z is free with no vote (0/0 counts as 0); a 2/4 = 1/2, b 1/1 = 1.
    e = election({"a": 4, "b": 1, "f": 0, "z": 0}, 100)
    result = allocate(e, approvals("a f", "a b"), "greedy-per-cost")
    assert result.details["order"] == ["f", "b", "a", "z"]
    assert result.details["score_per_cost"] == {"a": "1/2", "b": "1", "f": "inf", "z": "0"}


def test_per_cost_ties_compare_exactly():
    # 1/3 and 2/6 are the same ratio: a tie broken by min-cost (a, 3) then id. Budget 8 funds a then not b (6).
    e = election({"a": 3, "b": 6}, 8)
    result = allocate(e, approvals("a b", "b"), "greedy-per-cost")
    assert result.selected == ("a",)
    assert [t.reason for t in result.ties] == ["score per cost 1/3"]


def test_cumulative_scores_sum_points_and_scoring_too():
    for vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
        e = election({"a": 5, "b": 5}, 5, vote_type)
        ballots = [Ballot("1", (ProjectId("a"), ProjectId("b")), (1, 4)), Ballot("2", (ProjectId("a"),), (2,))]
        result = allocate(e, ballots, "greedy")
        assert result.details["scores"] == {"a": 3, "b": 4}
        assert result.selected == ("b",)


def test_ordinal_scoring_function_from_meta_and_options():
    e = election({"a": 1, "b": 1, "c": 1}, 1, VoteType.ORDINAL, scoring_fn="10,1")
    ballots = [Ballot("1", (ProjectId("a"), ProjectId("b"), ProjectId("c"))), Ballot("2", (ProjectId("b"),))]
    # META 10,1: a 10, b 1 + 10 = 11, c 0.
    assert allocate(e, ballots, "greedy").details["scores"] == {"a": 10, "b": 11, "c": 0}
    # options win: Borda over 3 places (no max_length: the 3 projects): a 3, b 2 + 3 = 5, c 1.
    assert allocate(e, ballots, "greedy", RuleOptions(scoring_fn="borda")).details["scores"] == {
        "a": 3,
        "b": 5,
        "c": 1,
    }


def test_bad_scoring_function_is_refused_by_name():
    e = election({"a": 1}, 1, VoteType.ORDINAL, scoring_fn="dowdall")
    with pytest.raises(InvalidRuleOptions, match="'dowdall'"):
        allocate(e, [Ballot("1", (ProjectId("a"),))], "greedy")


def test_threshold_from_meta_and_its_errors():
    e = election({"a": 1, "b": 1}, 10, min_project_score_threshold="2")
    assert allocate(e, approvals("a b", "a"), "greedy-threshold").selected == ("a",)
    with pytest.raises(InvalidRuleOptions, match="needs a threshold"):
        allocate(election({"a": 1}, 1), [], "greedy-threshold")
    with pytest.raises(InvalidRuleOptions, match="'many'"):
        allocate(election({"a": 1}, 1, min_project_score_threshold="many"), [], "greedy-threshold")


def test_the_rule_alone_refuses_districts():
    # allocate() splits a district election; the rule called directly must not mix the districts' budgets
    projects = (Project(ProjectId("a"), 1, district="north"), Project(ProjectId("b"), 1, district="south"))
    e = Election(4, projects, districts={"north": 2, "south": 2})
    with pytest.raises(InvalidRuleOptions, match="district_election"):
        RULES["greedy"](e, [], RuleOptions())


def test_details_are_canonical_json_without_floats():
    e = election({"a": 3, "b": 7}, 10)
    result = allocate(e, approvals("a b", "b"), "greedy-per-cost")
    assert canonical_json(result.to_json_value()).startswith('{"budget":10,')


def test_no_skip_reports_the_tie_at_its_stopping_point():
    # x (6) and y (4) both 2 votes, z 3 votes (cost 5), budget 9: z first (4 left). max-cost puts x before y:
    # x does not fit, so greedy-no-skip stops and y (which fits) is never reached. Both are unfunded, yet the
    # tie-break decided: with y first, y would be funded. Reported; with min-cost y is funded (mixed fate).
    e = election({"x": 6, "y": 4, "z": 5}, 9)
    ballots = approvals("x y z", "x y z", "z")
    stopped = allocate(e, ballots, "greedy-no-skip", RuleOptions(tie_break=TieBreak(("max-cost",))))
    assert stopped.selected == ("z",)
    assert [t.candidates for t in stopped.ties] == [("x", "y")]
    funded = allocate(e, ballots, "greedy-no-skip")
    assert funded.selected == ("z", "y")
    assert [t.candidates for t in funded.ties] == [("y", "x")]


def test_no_skip_honours_a_threshold_when_one_is_recorded():
    # Gdynia records greedy-no-skip with min_project_score_threshold. a (3 votes, 5), b (1 vote, 1); budget 10.
    # Without a threshold both are funded; with threshold 2, b is left out (not a stop: nothing else follows).
    e = election({"a": 5, "b": 1}, 10)
    ballots = approvals("a", "a", "a b")
    assert allocate(e, ballots, "greedy-no-skip").selected == ("a", "b")
    assert allocate(e, ballots, "greedy-no-skip", RuleOptions(threshold=2)).selected == ("a",)
    with_meta = election({"a": 5, "b": 1}, 10, min_project_score_threshold="2")
    assert allocate(with_meta, ballots, "greedy-no-skip").selected == ("a",)
