"""What the unseen real files taught the reader and `from-file`, one test per file and META field."""

from __future__ import annotations

import pytest

from pbvote.election import Election
from pbvote.errors import UnknownRule
from pbvote.pabulib import read_pb
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import TieBreak
from tally.fromfile import resolve
from tally.options import RuleOptions
from tally.registry import allocate
from tests.real.test_unseen_outcomes import UNSEEN, city

DIAMANTBUURT = "Netherlands_Amsterdam_2021_Diamantbuurt.pb"


def test_amsterdam_diamantbuurt_greedy_custom_runs_the_greedy_its_leftover_budget_describes():
    # META rule `greedy-custom`, leftover_budget "Fund additional projects that fit within leftover budget ordered
    # by score": stopping at the first project that does not fit would leave 41522 (7000 EUR) unfunded.
    election = read_pb(str(UNSEEN / DIAMANTBUURT)).election
    assert election.meta["leftover_budget"].startswith("Fund additional projects that fit")
    assert resolve(election) == ("greedy", RuleOptions())
    ballots = read_pb(str(UNSEEN / DIAMANTBUURT)).ballots
    assert set(allocate(election, ballots, "greedy", RuleOptions()).selected) == city(DIAMANTBUURT)
    no_skip = set(allocate(election, ballots, "greedy-no-skip", RuleOptions()).selected)
    assert city(DIAMANTBUURT) - no_skip == {"41522"}


def test_gdynia_2024_srodmiescie_tie_at_353_votes_goes_to_the_cheaper_project_and_is_reported():
    # 2024/SRO/0009 (220000) and 2024/SRO/0018 (329197, the whole budget) both have 353 votes; the city funded 0009,
    # and pabulib's converter lists 0009 first for that reason. Under greedy-no-skip the tie decides everything.
    name = "Poland_Gdynia_2024_Srodmiescie__large.pb"
    pb = read_pb(str(UNSEEN / name))
    allocation = allocate(pb.election, pb.ballots, "greedy-no-skip", RuleOptions())
    assert set(allocation.selected) == city(name) == {"2024/SRO/0009"}
    assert [tie.candidates for tie in allocation.ties] == [("2024/SRO/0009", "2024/SRO/0018")]
    dearer_first = RuleOptions(tie_break=TieBreak(("max-cost",)))
    assert allocate(pb.election, pb.ballots, "greedy-no-skip", dearer_first).selected == ("2024/SRO/0018",)


def test_katowice_2024_zarzecze_threshold_counts_points_not_voters():
    # greedy-threshold with min_project_score_threshold 50 on cumulative ballots: L20/05/XI (53 points from 34
    # voters) and L20/06/XI (52 points, 37 voters) were funded, so the threshold applies to the score (points).
    name = "Poland_Katowice_2024_Zarzecze.pb"
    pb = read_pb(str(UNSEEN / name))
    funded = {p.id: p for p in pb.election.projects if p.id in city(name)}
    assert {"L20/05/XI", "L20/06/XI"} <= set(funded)
    assert all(
        int(funded[pid].extra["votes"]) < 50 <= int(funded[pid].extra["score"]) for pid in ("L20/05/XI", "L20/06/XI")
    )
    assert set(allocate(pb.election, pb.ballots, "greedy-threshold", RuleOptions()).selected) == city(name)


def test_amsterdam_2019_kleine_wereld_budget_per_category_is_refused_not_run_as_plain_greedy():
    # META rule `greedy-custom` with the same leftover_budget as Diamantbuurt, but also budget_per_category
    # (comment #2: caps on each category's spending) and 50/50 weighted internet/paper votes (comment #3, with no
    # column saying which ballot is which). Plain greedy would fund 12448 and 12467 instead of 12458 and 12463.
    name = "Netherlands_Amsterdam_2019_Kleine_Wereld.pb"
    pb = read_pb(str(UNSEEN / name))
    assert pb.election.meta["budget_per_category"] == "52000,37000,35000,54000,39000,33000"
    with pytest.raises(UnknownRule, match=r"greedy-custom \(budget_per_category '52000,37000"):
        resolve(pb.election)
    greedy = set(allocate(pb.election, pb.ballots, "greedy", RuleOptions()).selected)
    assert greedy != city(name)


def test_amsterdam_2022_noord_west_partial_funding_leftover_budget_runs_greedy_no_skip():
    # META rule `greedy-custom`, leftover_budget "Partially fund one additional project with highest score": the 16
    # most approved fill 296407 of 320068 and the next, 43928 (28193), got part of the rest (selected=2, outside the
    # rule). So the rule is greedy-no-skip; the skipping greedy would also fund 43935 and 43946, which the city did not.
    name = "Netherlands_Amsterdam_2022_Noord_West.pb"
    pb = read_pb(str(UNSEEN / name))
    assert pb.election.meta["leftover_budget"] == "Partially fund one additional project with highest score"
    assert resolve(pb.election) == ("greedy-no-skip", RuleOptions())
    allocation = allocate(pb.election, pb.ballots, "greedy-no-skip", RuleOptions())
    assert set(allocation.selected) == city(name)
    assert "43928" not in allocation.selected
    assert {p.id: p.extra["selected"] for p in pb.election.projects}["43928"] == "2"
    greedy = set(allocate(pb.election, pb.ballots, "greedy", RuleOptions()).selected)
    assert greedy - city(name) == {"43935", "43946"}


def test_amsterdam_weesp_2021_greedy_custom_with_only_a_met_max_project_cost_runs_greedy_no_skip():
    # pb_files/Netherlands_Amsterdam_2021_Weesp.pb (not kept: 108 KB), META rule `greedy-custom`, no leftover_budget,
    # comment "#1: The max_project_cost is a requirement on projects to have some maximum cost", max_project_cost
    # 10000, budget 30000. Its four most voted (6000, 9000, 5000, 10000) spend the budget exactly and are the four
    # the city funded; the project costs below are the file's.
    costs = {"41293": 6000, "41290": 9000, "41291": 5000, "41294": 10000, "41297": 4000, "41292": 10000}
    costs |= {"41296": 8000, "41295": 9000}
    projects = tuple(Project(ProjectId(pid), cost) for pid, cost in costs.items())
    meta = {"max_project_cost": "10000"}
    assert resolve(Election(30000, projects, rule="greedy-custom", meta=meta))[0] == "greedy-no-skip"
    dearer = (*projects, Project(ProjectId("x"), 10001))
    with pytest.raises(UnknownRule, match="unknown rule 'greedy-custom'"):
        resolve(Election(30000, dearer, rule="greedy-custom", meta=meta))


def test_greedy_custom_with_any_budget_per_cap_is_refused():
    # Amsterdam's older files (e.g. pb_files/Netherlands_Amsterdam_252.pb) cap neighbourhoods the same way.
    meta = {"leftover_budget": "Fund additional projects that fit within leftover budget ordered by score"}
    meta["budget_per_neighborhood"] = "150000,100000,250000"
    with pytest.raises(UnknownRule, match=r"greedy-custom \(budget_per_neighborhood '150000,100000,250000'\)"):
        resolve(custom(meta))


def custom(meta: dict[str, str]) -> Election:
    return Election(10, (Project(ProjectId("a"), 1),), rule="greedy-custom", meta=meta)


def test_greedy_custom_leftover_budget_is_read_regardless_of_case_and_spacing():
    meta = {"leftover_budget": "  fund additional projects that fit within  leftover budget ordered by SCORE "}
    assert resolve(custom(meta))[0] == "greedy"


def test_greedy_custom_with_a_threshold_runs_greedy_threshold():
    meta = {"leftover_budget": "Fund additional projects that fit within leftover budget ordered by score"}
    meta["min_project_score_threshold"] = "50"
    assert resolve(custom(meta))[0] == "greedy-threshold"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({}, "unknown rule 'greedy-custom'; known rules"),
        (
            {"leftover_budget": "Fund the next one partially"},
            r"greedy-custom \(leftover_budget 'Fund the next one partially'\)",
        ),
    ],
)
def test_greedy_custom_without_a_known_leftover_budget_is_refused_quoting_it(meta, message):
    with pytest.raises(UnknownRule, match=message):
        resolve(custom(meta))
