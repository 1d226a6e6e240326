"""An election with districts is allocated district by district, each with its own budget and ballots."""

from __future__ import annotations

from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.project import Project, ProjectId
from tally.registry import allocate

P = ProjectId


def test_each_district_spends_its_own_budget_on_its_own_ballots():
    # north (budget 60): n1 (40) has 2 votes, n2 (30) has 1 -> n1, then n2 no longer fits (40 + 30 > 60).
    # south (budget 40): s1 (30) has 1 vote, s2 (20) has 2 -> s2, then s1 no longer fits (20 + 30 > 40).
    # City-wide by votes the order would be n1, s2 (2 votes each) then n2 or s1, overspending north's share.
    projects = (
        Project(P("n1"), 40, district="north"),
        Project(P("n2"), 30, district="north"),
        Project(P("s1"), 30, district="south"),
        Project(P("s2"), 20, district="south"),
    )
    election = Election(100, projects, districts={"north": 60, "south": 40})
    ballots = [
        Ballot("a", (P("n1"), P("n2")), district="north"),
        Ballot("b", (P("n1"),), district="north"),
        Ballot("c", (P("s2"), P("s1")), district="south"),
        Ballot("d", (P("s2"),), district="south"),
    ]
    allocation = allocate(election, ballots, "greedy")
    assert allocation.selected == ("n1", "s2")
    assert (allocation.total_cost, allocation.budget) == (60, 100)
    districts = allocation.details["districts"]
    assert isinstance(districts, dict)
    assert sorted(districts) == ["north", "south"]
