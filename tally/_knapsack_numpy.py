"""The Pareto-front step of `tally.knapsack.solve_knapsack`, vectorised with numpy.

It must give exactly what the reference loop in `tally.knapsack` gives (a property test checks it): the same
front, the same tie records. Costs and values are int64 (the caller falls back to the reference when sums could
overflow); masks stay Python integers in object arrays. The linear-relaxation bound is evaluated in floats but only
prunes a state whose bound is below the best known value by a wide margin, so rounding can keep a state the exact
test would drop (extra work), never drop one it would keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Front", "grow", "prune"]

_BOUND_MARGIN = 1e-9
"""Relative margin under which a float bound counts as surely below the best value (float error is ~1e-16)."""

Ints = npt.NDArray[np.int64]
Objects = npt.NDArray[np.object_]


@dataclass(slots=True)
class Front:
    """The states, as parallel arrays: cost, value, mask, and the tie record (see `tally.knapsack._State`).

    `rival[k]` indexes `records`, the (rival mask, own mask) pairs shared by every front of one solve (-1: none);
    keeping those pairs out of the arrays spares copying two object arrays at each step.
    """

    cost: Ints
    value: Ints
    mask: Objects
    limit: Ints
    rival: Ints
    records: list[tuple[int, int]]

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> Front:
        """The states at `index`, in that order."""
        return Front(
            self.cost[index],
            self.value[index],
            self.mask[index],
            self.limit[index],
            self.rival[index],
            self.records,
        )

    def joined(self, other: Front) -> Front:
        """These states followed by `other`'s."""
        return Front(
            np.concatenate((self.cost, other.cost)),
            np.concatenate((self.value, other.value)),
            np.concatenate((self.mask, other.mask)),
            np.concatenate((self.limit, other.limit)),
            np.concatenate((self.rival, other.rival)),
            self.records,
        )

    def __len__(self) -> int:
        """The number of states."""
        return len(self.cost)


def grow(front: Front, cost: int, value: int, bit: int, budget: int) -> Front:
    """The front after deciding one item: every state without it, and every one that can afford it with it."""
    fits = front.cost + cost <= budget
    added = front.take(fits)
    added.cost = added.cost + cost
    added.value = added.value + value
    added.mask = added.mask | bit
    return _dominance(front.joined(added), budget)


def _dominance(front: Front, budget: int) -> Front:
    front = _deduplicated(front.take(np.lexsort((-front.value, front.cost))), budget)
    value = front.value
    running = np.maximum.accumulate(value)
    previous = np.concatenate((np.array([-1], dtype=np.int64), running[:-1]))
    keep = value > previous
    equal = np.flatnonzero(value == previous)
    if len(equal):
        _ties(front, keep, equal, budget)
    return front.take(keep)


def _deduplicated(front: Front, budget: int) -> Front:
    """Of states with equal cost and value (sorted together), keep the preferred one (largest mask).

    Any completion of a dropped one completes the kept one to the same value at the same cost, so the kept one
    records a tie for every completion (limit = budget), with a dropped mask as its rival.
    """
    cost, value = front.cost, front.value
    first = np.ones(len(cost), dtype=np.bool_)
    first[1:] = (cost[1:] != cost[:-1]) | (value[1:] != value[:-1])
    if first.all():
        return front
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, len(cost)))
    best = np.maximum.reduceat(front.mask, starts)
    kept = front.take((front.mask == np.repeat(best, sizes)).astype(np.bool_))
    other = np.minimum.reduceat(front.mask, starts)
    credit = np.flatnonzero((sizes > 1) & (kept.limit < budget))
    kept.limit[credit] = budget
    for k in credit.tolist():
        kept.rival[k] = len(kept.records)
        kept.records.append((other[k], kept.mask[k]))
    return kept


def _ties(front: Front, keep: npt.NDArray[np.bool_], equal: npt.NDArray[np.intp], budget: int) -> None:
    """States worth as much as the best cheaper one: credit the tie, keep them if preferred (see `_front`)."""
    positions = np.arange(len(front))
    last_strict = np.maximum.accumulate(np.where(keep, positions, -1))
    last = -1
    for s in equal.tolist():
        anchor = int(last_strict[s])
        best = max(anchor, last)
        limit = budget - int(front.cost[s] - front.cost[best])
        if limit > front.limit[best]:
            front.limit[best] = limit
            front.rival[best] = len(front.records)
            front.records.append((front.mask[s], front.mask[best]))
        if front.mask[s] > front.mask[best]:
            keep[s] = True
            last = s


def prune(front: Front, budget: int, lower: int, bound: Bound) -> Front:
    """Drop the states whose linear-relaxation bound is surely below `lower`."""
    room = budget - front.cost
    base = bound.prefix_cost[bound.start]
    last = np.searchsorted(bound.prefix_cost, base + room, side="right") - 1
    whole = front.value + bound.prefix_value[last] - bound.prefix_value[bound.start]
    ceiling = whole.astype(np.float64)
    partial = last < len(bound.order)
    if partial.any():
        item = bound.order[last[partial]]
        left = room[partial] - (bound.prefix_cost[last[partial]] - base)
        ceiling[partial] += left * (bound.values[item] / bound.costs[item])
    surely_below = ceiling < lower - _BOUND_MARGIN * abs(lower) - 1
    return front.take(~surely_below)


@dataclass(frozen=True, slots=True)
class Bound:
    """The items from `start` on, in density order, with prefix sums (arrays indexed as `order`)."""

    order: Ints
    start: int
    prefix_cost: Ints
    prefix_value: Ints
    costs: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]

    @classmethod
    def build(cls, order: Sequence[int], costs: Sequence[int], values: Sequence[int], start: int) -> Bound:
        """Prefix sums over `order`; `costs` and `values` are indexed by item."""
        return cls(
            order=np.array(order, dtype=np.int64),
            start=start,
            prefix_cost=np.concatenate(([0], np.cumsum([costs[i] for i in order], dtype=np.int64))),
            prefix_value=np.concatenate(([0], np.cumsum([values[i] for i in order], dtype=np.int64))),
            costs=np.array(costs, dtype=np.float64),
            values=np.array(values, dtype=np.float64),
        )
