"""`max-welfare`: the set of projects of greatest total satisfaction within the budget, found exactly.

The solver is a Pareto-front dynamic programme over (cost, value) states (Nemhauser and Ullmann, "Discrete dynamic
programming and capital allocation", Management Science 15(9), 1969) with two exact prunings: a state is dropped
when another costs no more and is worth more, and when the linear-relaxation bound (Dantzig 1957) of its best
completion is below a value already reached. Values and costs are integers, so the optimum is proven, not
estimated. Among optimal sets the choice follows a total order derived from the tie-break (see `solve_knapsack`).

The front runs vectorised (`tally._knapsack_numpy`); `solve_knapsack(..., vectorized=False)` is the pure-Python
reference it must match. On the six real pabulib elections the front peaks at a few thousand states (under 0.25 s
with the ballots counted); its worst case is pseudo-polynomial: when many projects have the same value per unit
of cost (a subset-sum), every distinct total cost below the budget can be a state (100 such projects: ~9 s).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pbvote.ballot import Profile
from pbvote.canonical import JsonValue
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions
from tally import _knapsack_numpy
from tally.allocation import Allocation, Tie
from tally.options import RuleOptions, Satisfaction
from tally.profile import compile_profile
from tally.scores import check_city_wide, tie_ranks

__all__ = ["KnapsackSolution", "max_welfare", "solve_knapsack"]


@dataclass(frozen=True, slots=True)
class KnapsackSolution:
    """An optimal set and, if one exists, another optimal set it was preferred to.

    Attributes:
        chosen: indices of the chosen items, ascending.
        value: their total value (the optimum).
        rival: indices of another set of the same value, if any (ascending); `None` when the optimum is unique.
        peak_states: the largest number of states the front held (for the speed report).
    """

    chosen: tuple[int, ...]
    value: int
    rival: tuple[int, ...] | None
    peak_states: int


@dataclass(slots=True)
class _State:
    cost: int
    value: int
    mask: int
    limit: int = -1  # a final set of this lineage costing at most `limit` has a rival of equal value
    rival: tuple[int, int] = (0, 0)  # (rival mask, own mask) when `limit` was set: rival = r | (final & ~own)


def solve_knapsack(
    costs: Sequence[int], values: Sequence[int], budget: int, ranks: Sequence[int], *, vectorized: bool = True
) -> KnapsackSolution:
    """The optimum of the 0/1 knapsack, and the preferred set among optima.

    Only items of positive value are ever chosen (one worth nothing adds nothing). Among sets of equal total value
    the preferred one contains the item that comes first in `ranks` (0 first) among the items in exactly one of
    the two sets; as a number with bit `n - 1 - rank` per item, the preferred set is the larger number.

    Args:
        costs: non-negative costs.
        values: the value of each item.
        budget: the capacity.
        ranks: a permutation of `range(n)`: each item's place in the tie-break order.
        vectorized: use the numpy front (the default) rather than the pure-Python reference; both give the
            same optimum, the same chosen set and the same verdict on ties.

    >>> solve_knapsack([6, 4, 4], [6, 4, 4], 10, [0, 1, 2])  # {0, 1} and {0, 2} are both worth 10; 1 ranks first
    KnapsackSolution(chosen=(0, 1), value=10, rival=(0, 2), peak_states=2)
    """
    n = len(costs)
    bits = [1 << (n - 1 - ranks[i]) for i in range(n)]
    usable = [i for i in range(n) if values[i] > 0 and costs[i] <= budget]
    free = [i for i in usable if costs[i] == 0]
    order = sorted((i for i in usable if costs[i] > 0), key=lambda i: (-Fraction(values[i], costs[i]), ranks[i]))
    start = _State(0, sum(values[i] for i in free), sum(bits[i] for i in free))
    items = _Items(order, costs, values, bits, budget)
    lower = start.value + _fill(order, 0, costs, values, budget)
    small = max(sum(costs[i] for i in order), start.value + sum(values[i] for i in order)) < _INT64_SAFE
    states, peak = _numpy_front(items, start, lower) if vectorized and small else _python_front(items, start, lower)
    return _result(states, n, bits, budget, peak)


_INT64_SAFE = 2**62
"""Sums below this fit numpy's int64 with room to spare; larger elections use the pure-Python front."""


@dataclass(frozen=True, slots=True)
class _Items:
    """The items to decide, in density order, and what the fronts need about them."""

    order: Sequence[int]
    costs: Sequence[int]
    values: Sequence[int]
    bits: Sequence[int]
    budget: int


def _python_front(items: _Items, start: _State, lower: int) -> tuple[list[_State], int]:
    """The reference: one Python object per state."""
    order, costs, values, budget = items.order, items.costs, items.values, items.budget
    prefix_cost, prefix_value = [0], [0]
    for i in order:
        prefix_cost.append(prefix_cost[-1] + costs[i])
        prefix_value.append(prefix_value[-1] + values[i])
    states, peak = [start], 1
    for position, i in enumerate(order):
        grown = [
            _State(s.cost + costs[i], s.value + values[i], s.mask | items.bits[i], s.limit, s.rival)
            for s in states
            if s.cost + costs[i] <= budget
        ]
        states = _front([*states, *grown], budget)
        best = max(states, key=lambda s: s.value)
        lower = max(lower, best.value + _fill(order, position + 1, costs, values, budget - best.cost))
        bound = _Bound(order, position + 1, prefix_cost, prefix_value, costs, values)
        states = [s for s in states if bound.reaches(s, budget, lower)]
        peak = max(peak, len(states))
    return states, peak


def _numpy_front(items: _Items, start: _State, lower: int) -> tuple[list[_State], int]:
    """The same front with numpy arrays (`tally._knapsack_numpy`)."""
    order, costs, values, budget = items.order, items.costs, items.values, items.budget
    front = _knapsack_numpy.Front(
        cost=np.array([start.cost], dtype=np.int64),
        value=np.array([start.value], dtype=np.int64),
        mask=np.array([start.mask], dtype=object),
        limit=np.array([-1], dtype=np.int64),
        rival=np.array([-1], dtype=np.int64),
        records=[],
    )
    peak = 1
    for position, i in enumerate(order):
        front = _knapsack_numpy.grow(front, costs[i], values[i], items.bits[i], budget)
        best = int(np.argmax(front.value))
        room = budget - int(front.cost[best])
        lower = max(lower, int(front.value[best]) + _fill(order, position + 1, costs, values, room))
        bound = _knapsack_numpy.Bound.build(order, costs, values, position + 1)
        front = _knapsack_numpy.prune(front, budget, lower, bound)
        peak = max(peak, len(front))
    records = front.records
    states = [
        _State(int(c), int(v), m, int(lim), records[r] if r >= 0 else (0, 0))
        for c, v, m, lim, r in zip(front.cost, front.value, front.mask, front.limit, front.rival.tolist(), strict=True)
    ]
    return states, peak


def _fill(order: Sequence[int], start: int, costs: Sequence[int], values: Sequence[int], room: int) -> int:
    """Greedy completion by density (a feasible value: a lower bound on the optimum)."""
    gained = 0
    for i in order[start:]:
        if costs[i] <= room:
            room -= costs[i]
            gained += values[i]
    return gained


@dataclass(frozen=True, slots=True)
class _Bound:
    """The linear-relaxation bound on the items from `start` on (in density order)."""

    order: Sequence[int]
    start: int
    prefix_cost: Sequence[int]
    prefix_value: Sequence[int]
    costs: Sequence[int]
    values: Sequence[int]

    def reaches(self, state: _State, budget: int, lower: int) -> bool:
        """Whether the best fractional completion of `state` is worth at least `lower` (ties are kept)."""
        room = budget - state.cost
        base = self.prefix_cost[self.start]
        last = bisect_right(self.prefix_cost, base + room) - 1
        whole = state.value + self.prefix_value[last] - self.prefix_value[self.start]
        if last >= len(self.order):
            return whole >= lower
        item = self.order[last]
        left = room - (self.prefix_cost[last] - base)
        return whole * self.costs[item] + left * self.values[item] >= lower * self.costs[item]


def _front(states: list[_State], budget: int) -> list[_State]:
    """Drop every state another one beats: no dearer and worth more, or worth as much and preferred.

    A dropped state worth as much as a kept one is a rival: any completion of it also completes the kept one
    (which costs no more) to the same value, so the kept lineage records the cost under which that holds.
    """
    states.sort(key=lambda s: (s.cost, -s.value, -s.mask))
    kept: list[_State] = []
    best: _State | None = None
    for s in states:
        if best is None or s.value > best.value:
            kept.append(s)
            best = s
            continue
        if s.value < best.value:
            continue
        _credit(best, s, budget)
        if s.mask > best.mask:
            kept.append(s)
            best = s
    return kept


def _credit(cheaper: _State, dearer: _State, budget: int) -> None:
    limit = budget - (dearer.cost - cheaper.cost)
    if limit > cheaper.limit:
        cheaper.limit = limit
        cheaper.rival = (dearer.mask, cheaper.mask)


def _result(states: Sequence[_State], n: int, bits: Sequence[int], budget: int, peak: int) -> KnapsackSolution:
    top = max(s.value for s in states)
    optima = sorted((s for s in states if s.value == top), key=lambda s: -s.mask)
    chosen = optima[0]
    rival_mask: int | None = None
    if len(optima) > 1:
        rival_mask = optima[1].mask
    elif chosen.cost <= chosen.limit <= budget:
        rival_mask = chosen.rival[0] | (chosen.mask & ~chosen.rival[1])

    def items(mask: int) -> tuple[int, ...]:
        return tuple(i for i in range(n) if mask & bits[i])

    return KnapsackSolution(items(chosen.mask), top, None if rival_mask is None else items(rival_mask), peak)


def max_welfare(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund the set of projects with the greatest total satisfaction that fits the budget (`max-welfare`).

    Definition: utilitarian welfare maximisation, Talmon and Faliszewski, "A Framework for Approval-Based
    Budgeting Methods" (AAAI 2019); a voter's satisfaction is the cost of the funded projects they support
    (`cost`) or their number (`cardinality`), so a project is worth cost x supporters or supporters. A supporter is
    a ballot naming the project. Ties: among optimal sets, the one holding the first project, in
    `options.tie_break` order, of those funded by only one of them; when another optimum exists it is reported in
    `Allocation.ties`. Complexity: O(m F log F) for m projects and a front of at most F states (pseudo-polynomial
    in the worst case, see the module docstring; a few thousand states on real elections); exact.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 5), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("a"), P("c")))]
    >>> max_welfare(e, votes, RuleOptions()).selected  # a+c: 18 + 4 = 22 > b+c: 10 + 4 = 14
    ('a', 'c')
    """
    check_city_wide(election, "max-welfare")
    if not isinstance(options.satisfaction, Satisfaction):
        raise InvalidRuleOptions(f"unknown satisfaction {options.satisfaction!r}; use cost or cardinality")
    compiled = compile_profile(election, profile)
    ranks = tie_ranks(election, compiled, options)
    costs = [int(c) for c in compiled.costs]
    support = [int(s) for s in compiled.support]
    by_cost = options.satisfaction == Satisfaction.COST
    values = [c * s for c, s in zip(costs, support, strict=True)] if by_cost else support
    solution = solve_knapsack(costs, values, election.budget, ranks)
    ids = compiled.project_ids
    ties: tuple[Tie, ...] = ()
    if solution.rival is not None:
        differ = sorted(set(solution.chosen) ^ set(solution.rival), key=lambda j: ranks[j])
        instead = ", ".join(ids[j] for j in differ if j in solution.rival)
        reason = f"total satisfaction {solution.value}; another optimal set funds {instead} instead"
        ties = (Tie(0, tuple(ids[j] for j in differ), reason, str(options.tie_break)),)
    details: dict[str, JsonValue] = {
        "welfare": solution.value,
        "values": {ids[j]: values[j] for j in range(len(ids))},
    }
    return Allocation(
        rule="max-welfare",
        options={"satisfaction": options.satisfaction.value, "tie_break": str(options.tie_break)},
        selected=tuple(ids[j] for j in solution.chosen),
        total_cost=sum(costs[j] for j in solution.chosen),
        budget=election.budget,
        ties=ties,
        details=details,
    )
