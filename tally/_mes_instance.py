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

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from tally.options import Satisfaction
from tally.profile import CompiledProfile

__all__ = ["MesInstance", "SupporterArrays", "build_instance"]

Supporter = tuple[int, int, int]


class SupporterArrays(Sequence[tuple[Supporter, ...]]):
    """Each project's supporters as a `k x 3` int64 array `(group, weight, utility)`; tuples built on demand.

    The exact code reads tuples, the numpy fast path reads the arrays; a million ballots never become a
    million Python tuples unless the exact reference needs them.
    """

    def __init__(self, arrays: Sequence[npt.NDArray[np.int64]]) -> None:
        self.arrays = tuple(arrays)
        self._tuples: dict[int, tuple[Supporter, ...]] = {}

    def __len__(self) -> int:
        return len(self.arrays)

    def __getitem__(self, j: int) -> tuple[Supporter, ...]:  # type: ignore[override]
        """Project `j`'s supporters as `(group, weight, utility)` tuples."""
        if j not in self._tuples:
            self._tuples[j] = tuple((g, w, u) for g, w, u in self.arrays[j].tolist())
        return self._tuples[j]


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
    supporters: Sequence[Sequence[Supporter]]
    weights: Sequence[int]
    voters: int
    budget: int
    rank: tuple[int, ...]

    @property
    def projects(self) -> int:
        """The number of projects."""
        return len(self.costs)

    def supporter_arrays(self) -> tuple[npt.NDArray[np.int64], ...]:
        """Each project's supporters as a `k x 3` int64 array."""
        if isinstance(self.supporters, SupporterArrays):
            return self.supporters.arrays
        return tuple(np.array(s, dtype=np.int64).reshape(-1, 3) for s in self.supporters)


def build_instance(
    compiled: CompiledProfile, budget: int, satisfaction: Satisfaction, rank: tuple[int, ...]
) -> MesInstance:
    """Turn a compiled profile into MES's supporters lists, in numpy.

    Args:
        compiled: the grouped ballots.
        budget: the budget to spend.
        satisfaction: cost or cardinality utilities.
        rank: each project's place in the tie-break order, by project index.
    """
    costs = compiled.costs.astype(np.int64)
    lengths = np.fromiter((len(g) for g in compiled.groups), dtype=np.int64, count=len(compiled.groups))
    total = int(lengths.sum())
    projects = np.fromiter(chain.from_iterable(compiled.groups), dtype=np.int64, count=total)
    groups = np.repeat(np.arange(len(compiled.groups), dtype=np.int64), lengths)
    points = np.ones(total, dtype=np.int64)
    if any(compiled.points):
        points = np.fromiter(
            chain.from_iterable(p or (1,) * len(g) for g, p in zip(compiled.groups, compiled.points, strict=True)),
            dtype=np.int64,
            count=total,
        )
    # One entry per (project, group), summing points if a ballot names a project twice; sorted by project.
    keys, inverse = np.unique(projects * max(len(compiled.groups), 1) + groups, return_inverse=True)
    summed = np.bincount(inverse, weights=points).round().astype(np.int64)
    if not any(compiled.points):
        summed = np.minimum(summed, 1)  # an approval named twice is still one approval
    projects, groups = keys // max(len(compiled.groups), 1), keys % max(len(compiled.groups), 1)
    utilities = summed * (costs[projects] if satisfaction is Satisfaction.COST else 1)
    keep = utilities > 0
    projects, groups, utilities = projects[keep], groups[keep], utilities[keep]
    weights = compiled.weights.astype(np.int64)
    rows = np.stack([groups, weights[groups], utilities], axis=1)
    bounds = np.searchsorted(projects, np.arange(len(costs) + 1))
    arrays = [rows[bounds[j] : bounds[j + 1]] for j in range(len(costs))]
    return MesInstance(
        costs=tuple(int(c) for c in costs),
        supporters=SupporterArrays(arrays),
        weights=tuple(weights.tolist()),
        voters=compiled.voters,
        budget=budget,
        rank=rank,
    )
