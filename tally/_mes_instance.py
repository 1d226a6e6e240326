"""The Method of Equal Shares' input: each project's supporters as (group, weight, utility) with integer utilities.

Utilities (Peters, Pierczyński and Skowron, "Proportional participatory budgeting with additive utilities",
NeurIPS 2021, define MES for any additive utilities u_i(c) >= 0):

- approval, choose-1 and ordinal ballots: a voter supports each project named, with utility `cost(c)` under
  `Satisfaction.COST` (equalshares.net's default) and `1` under `Satisfaction.CARDINALITY`; ordinal ballots are
  read as the set of projects ranked (equalshares.net and pabutools' MES take approval sets);
- cumulative and scoring ballots: the points given scale that utility, `points * cost(c)` or `points`, so that a
  ballot giving one point to each project it names is the approval ballot (pabutools' cost and cardinality
  satisfactions would ignore the points, see RULES-NOTES.md). A project given zero points is not supported.

A project of cost 0 has utility 0 under `COST`, so MES never funds it; a completion may.
"""

from __future__ import annotations

from dataclasses import dataclass

from tally.options import Satisfaction
from tally.profile import CompiledProfile

__all__ = ["MesInstance", "build_instance"]


@dataclass(frozen=True, slots=True)
class MesInstance:
    """An election as MES sees it; every number is an integer.

    Attributes:
        costs: `costs[j]`, the cost of project `j`.
        supporters: `supporters[j]`, the groups with positive utility for `j` as `(group, weight, utility)`.
        weights: `weights[g]`, the number of voters in group `g`.
        voters: the number of voters (ballots), empty ballots included.
        budget: the budget.
        rank: `rank[j]`, project `j`'s place in the tie-break order (0 wins every tie).
    """

    costs: tuple[int, ...]
    supporters: tuple[tuple[tuple[int, int, int], ...], ...]
    weights: tuple[int, ...]
    voters: int
    budget: int
    rank: tuple[int, ...]

    @property
    def projects(self) -> int:
        """The number of projects."""
        return len(self.costs)


def build_instance(
    compiled: CompiledProfile, budget: int, satisfaction: Satisfaction, rank: tuple[int, ...]
) -> MesInstance:
    """Turn a compiled profile into MES's supporters lists.

    Args:
        compiled: the grouped ballots.
        budget: the budget to spend.
        satisfaction: cost or cardinality utilities.
        rank: each project's place in the tie-break order, by project index.
    """
    costs = tuple(int(c) for c in compiled.costs)
    lists: list[list[tuple[int, int, int]]] = [[] for _ in costs]
    for g, (group, points) in enumerate(zip(compiled.groups, compiled.points, strict=True)):
        weight = int(compiled.weights[g])
        per_project: dict[int, int] = {}
        for position, j in enumerate(group):
            per_project[j] = per_project.get(j, 0) + (points[position] if points else 1)
        for j, amount in per_project.items():
            utility = amount * (costs[j] if satisfaction is Satisfaction.COST else 1)
            if utility > 0:
                lists[j].append((g, weight, utility))
    return MesInstance(
        costs=costs,
        supporters=tuple(tuple(s) for s in lists),
        weights=tuple(int(w) for w in compiled.weights),
        voters=compiled.voters,
        budget=budget,
        rank=rank,
    )
