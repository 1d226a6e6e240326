"""Hypothesis strategies for elections and MES instances, built to hit ties and near-ties often."""

from __future__ import annotations

from hypothesis import strategies as st

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from tally._mes_instance import MesInstance


@st.composite
def elections(draw, *, points: bool = False, unit_costs: bool = False, max_projects: int = 6):
    """A small election and its ballots; small integer costs make exact ties frequent."""
    count = draw(st.integers(1, max_projects))
    costs = [1] * count if unit_costs else draw(st.lists(st.integers(0, 30), min_size=count, max_size=count))
    projects = tuple(Project(ProjectId(f"p{j}"), cost) for j, cost in enumerate(costs))
    budget = draw(st.integers(1, count if unit_costs else 80))
    ids = [p.id for p in projects]
    vote_type = VoteType.CUMULATIVE if points else VoteType.APPROVAL
    ballots = []
    for number in range(draw(st.integers(0, 9))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=count))
        given = tuple(draw(st.integers(0, 3)) for _ in chosen) if points else ()
        ballots.append(Ballot(str(number), tuple(chosen), given))
    return Election(budget, projects, BallotRules(vote_type=vote_type)), ballots


@st.composite
def instances(draw):
    """A grouped MES instance with large weights and costs: float rhos then differ in the last few digits."""
    count = draw(st.integers(1, 5))
    groups = draw(st.integers(1, 6))
    base = draw(st.sampled_from([1, 999_983, 10**9]))
    costs = tuple(base * draw(st.integers(1, 6)) + draw(st.integers(-2, 2)) * (base > 1) for _ in range(count))
    weights = tuple(draw(st.sampled_from([1, 2, 3, 999_999, 1_000_000, 1_000_001])) for _ in range(groups))
    supporters = []
    shared = draw(st.booleans())  # the same supporters everywhere: rhos tie exactly, floats differ in the last bit
    common = draw(st.lists(st.integers(0, groups - 1), unique=True, min_size=1, max_size=groups))
    for j in range(count):
        members = common if shared else draw(st.lists(st.integers(0, groups - 1), unique=True, max_size=groups))
        utility = draw(st.sampled_from([1, costs[j]]))
        supporters.append(tuple((g, weights[g], max(utility, 1)) for g in sorted(members)))
    voters = sum(weights)
    budget = draw(st.integers(1, max(1, sum(costs))))
    rank = tuple(draw(st.permutations(range(count))))
    return MesInstance(costs, tuple(supporters), weights, voters, budget, rank)


@st.composite
def roomy_instances(draw, top: int = 30_000):
    """An instance where a voter's budget is large next to a one-unit raise, as in real elections.

    Prices then move little from one raise to the next, so a run at the budget below bounds most rivals' prices
    well enough to skip pricing them (what `tally._mes_fast._bound` does); shared supporters still make exact ties.
    """
    count = draw(st.integers(2, 8))
    groups = draw(st.integers(2, 16))
    weights = tuple(draw(st.integers(1, 4)) for _ in range(groups))
    costs = tuple(draw(st.integers(top // 30, top)) for _ in range(count))
    kind = draw(st.sampled_from(["cost", "cardinality", "points"]))
    supporters = []
    for j in range(count):
        members = draw(st.lists(st.integers(0, groups - 1), unique=True, min_size=1, max_size=groups))
        rows = []
        for g in sorted(members):
            points = draw(st.integers(1, 3)) if kind == "points" else 1
            rows.append((g, weights[g], points * (1 if kind == "cardinality" else costs[j])))
        supporters.append(tuple(rows))
    budget = draw(st.integers(max(costs), sum(costs)))
    rank = tuple(draw(st.permutations(range(count))))
    return MesInstance(costs, tuple(supporters), weights, sum(weights), budget, rank)


@st.composite
def exhausting_instances(draw):
    """A roomy instance where supporters often run out: each project costs about what its supporters hold.

    Supporters of several projects then pay for one and run out paying for the next, so runs are rarely calm
    and Add1's strides (`tally._mes_stable`) have to follow who runs out.
    """
    count = draw(st.integers(2, 7))
    groups = draw(st.integers(2, 10))
    weights = tuple(draw(st.integers(1, 3)) for _ in range(groups))
    share = draw(st.integers(20, 400))  # a voter's budget, about
    kind = draw(st.sampled_from(["cost", "cardinality", "points"]))
    costs, supporters = [], []
    for _ in range(count):
        members = draw(st.lists(st.integers(0, groups - 1), unique=True, min_size=1, max_size=groups))
        held = share * sum(weights[g] for g in members)
        cost = draw(st.integers(max(1, held * 3 // 10), held * 6 // 5))
        costs.append(cost)
        rows = []
        for g in sorted(members):
            points = draw(st.integers(1, 3)) if kind == "points" else 1
            rows.append((g, weights[g], points * (1 if kind == "cardinality" else cost)))
        supporters.append(tuple(rows))
    budget = share * sum(weights)
    rank = tuple(draw(st.permutations(range(count))))
    return MesInstance(tuple(costs), tuple(supporters), weights, sum(weights), budget, rank)
