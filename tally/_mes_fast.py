"""The fast path of MES: float64 numpy over grouped ballots, exact wherever a decision is close.

Floats only choose the order in which projects are funded. Every choice is a comparison (one rho against another,
or a project's money against its cost). When two sides are within a relative `MARGIN` of each other, that round
is decided by the exact reference instead (`tally._mes_exact.choose`, on exact budgets rebuilt by replaying the
rounds so far), and a tie is recorded only when the exact rhos are equal. Far from ties the float decision equals
the exact one: the float error (about `rounds * 2**-53` relative) is many orders of magnitude below `MARGIN`.
A property test checks fast == exact on inputs built to sit on and near ties.

Prices are kept lazily: budgets only fall, so a project's rho only rises, and a round prices projects in order
of their last rho until the next one cannot come within `MARGIN` of the best. A price is found by water-filling:
start from "nobody runs out", add the supporters who cannot pay that share, and repeat until nobody new runs out.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from tally._mes_exact import choose, pay, price
from tally._mes_instance import MesInstance

__all__ = ["MARGIN", "FastInstance", "FastRun", "run_fast", "run_fast_full"]

MARGIN = 1e-9
"""Relative gap below which two floats are treated as a possible tie and exact arithmetic decides."""

_PASSES = 8
"""Water-filling passes before falling back to a sort (each pass adds at least one share that runs out)."""

Floats = npt.NDArray[np.float64]
Ties = list[tuple[int, tuple[int, ...], Fraction]]


@dataclass(frozen=True, slots=True)
class FastInstance:
    """Per-project numpy arrays of supporter groups, weights, utilities and weighted utilities.

    `uniform[j]` is the utility every supporter of `j` has when they all have the same (else 0).
    """

    instance: MesInstance
    groups: tuple[npt.NDArray[np.int64], ...]
    weights: tuple[Floats, ...]
    utilities: tuple[Floats, ...]
    weighted: tuple[Floats, ...]
    totals: tuple[float, ...]
    uniform: tuple[float, ...]
    voters: tuple[float, ...]
    utilities_int: tuple[npt.NDArray[np.int64], ...]
    floor: tuple[float, ...]

    @classmethod
    def of(cls, instance: MesInstance) -> FastInstance:
        """Build the arrays once; every run at any voter budget reuses them."""
        rows = instance.supporter_arrays()
        weighted = tuple((r[:, 1] * r[:, 2]).astype(np.float64) for r in rows)
        return cls(
            instance=instance,
            groups=tuple(r[:, 0].copy() for r in rows),
            weights=tuple(r[:, 1].astype(np.float64) for r in rows),
            utilities=tuple(r[:, 2].astype(np.float64) for r in rows),
            weighted=weighted,
            totals=tuple(float(w.sum()) for w in weighted),
            utilities_int=tuple(r[:, 2].copy() for r in rows),
            voters=tuple(float(r[:, 1].sum()) for r in rows),
            uniform=tuple(float(r[0, 2]) if r.size and (r[:, 2] == r[0, 2]).all() else 0.0 for r in rows),
            floor=tuple(c / float(w.sum()) if w.size else 0.0 for c, w in zip(instance.costs, weighted, strict=True)),
        )


class _NearTie(Exception):
    """A signal, not an error: a decision is too close to call in floats."""


class _Unaffordable(Exception):
    """A signal, not an error: the supporters clearly cannot pay."""


def _price(fast: FastInstance, j: int, budgets: Floats, floor: float = 0.0) -> float | None:
    """Float rho of project `j`, `None` when clearly unaffordable; raises `_NearTie` when too close to call.

    `floor` is a known lower bound on the rho (its last price: budgets only fall). Water-filling may start from
    any lower bound: everyone below it is below the rho too, and adding them gives a rho still at most the true
    one, so the passes rise to the same fixed point, in fewer passes.
    """
    uniform = fast.uniform[j]
    if uniform:  # approval ballots: every supporter has the same utility, so work with payments directly
        cap = _cap(fast, j, budgets, floor * uniform)
        return None if cap is None else cap / uniform
    cost = float(fast.instance.costs[j])
    held = budgets[fast.groups[j]]
    rho = cost / fast.totals[j]
    ratio = held / fast.utilities[j]
    if not np.count_nonzero(ratio < rho * (1 + MARGIN)):
        return rho  # everyone clearly pays the equal share, so the money clearly covers the cost
    weights = fast.weights[j]
    try:
        _check_money(float(np.dot(weights, held)), cost)
    except _Unaffordable:
        return None
    out = ratio < max(rho, floor)
    count = int(np.count_nonzero(out))
    for _ in range(_PASSES):
        rho = (cost - float(np.dot(weights[out], held[out]))) / (fast.totals[j] - float(fast.weighted[j][out].sum()))
        grown = ratio < rho
        grown_count = int(np.count_nonzero(grown))
        if grown_count == count:  # the set only grows, so an equal count is the same set: a fixed point
            return rho
        out, count = grown, grown_count
    return _price_sorted(cost, ratio, weights * held, fast.weighted[j])


def _check_money(money: float, cost: float) -> None:
    """Raise `_Unaffordable` when the supporters clearly cannot pay, `_NearTie` when it is too close to call."""
    if money < cost * (1 - MARGIN):
        raise _Unaffordable
    if money <= cost * (1 + MARGIN):
        raise _NearTie


def _cap(fast: FastInstance, j: int, budgets: Floats, floor: float = 0.0) -> float | None:
    """The most any supporter of `j` pays when all have the same utility: water-filling on budgets from `floor`.

    Each pass sums the money and the voters of those below the cap in one matrix product; the set below only
    grows, so an unchanged number of voters below (an exact integer in floats) is the fixed point.
    """
    cost = float(fast.instance.costs[j])
    held = budgets[fast.groups[j]]
    voters = fast.voters[j]
    cap = cost / voters
    if held.min() >= cap * (1 + MARGIN):
        return cap
    weights = fast.weights[j]
    both = np.empty((2, held.size))  # money and voters, summed together below
    paid = np.multiply(weights, held, out=both[0])
    both[1] = weights
    try:
        _check_money(float(paid.sum()), cost)
    except _Unaffordable:
        return None
    sums: list[float] = (both @ (held < max(cap, floor))).tolist()
    paid_out, voters_out = sums
    for _ in range(_PASSES):
        cap = (cost - paid_out) / (voters - voters_out)
        sums = (both @ (held < cap)).tolist()
        grown_paid, grown_voters = sums
        if grown_voters == voters_out:
            return cap
        paid_out, voters_out = grown_paid, grown_voters
    return _price_sorted(cost, held, paid, weights)


def _price_sorted(cost: float, ratio: Floats, paid: Floats, weighted: Floats) -> float:
    order = np.argsort(ratio, kind="stable")
    paid_before = np.concatenate(([0.0], np.cumsum(paid[order])[:-1]))
    utility_before = np.concatenate(([0.0], np.cumsum(weighted[order])[:-1]))
    rhos = (cost - paid_before) / (weighted.sum() - utility_before)
    stops = np.flatnonzero(ratio[order] >= rhos)
    if stops.size == 0:
        raise _NearTie
    return float(rhos[stops[0]])


def _round(
    fast: FastInstance, last: dict[int, float], heap: list[tuple[float, int, int]], budgets: Floats
) -> int | None:
    """Choose the next project, updating the lazy prices in `last`; `None` when nothing is affordable.

    `heap` holds `(last rho, rank, project)`; entries whose rho is no longer the project's last are stale.
    """
    rank = fast.instance.rank
    best, best_j = np.inf, -1
    priced: list[tuple[float, int]] = []
    try:
        while heap:
            value, _, j = heap[0]
            if last.get(j) != value:
                heapq.heappop(heap)
                continue
            if value > best * (1 + MARGIN):
                break  # every other project's rho is at least its last one, too far above the best to tie
            heapq.heappop(heap)
            rho = _price(fast, j, budgets, value)
            if rho is None:
                del last[j]
                continue
            last[j] = rho
            priced.append((rho, j))
            if rho < best:
                best, best_j = rho, j
    finally:
        for rho, j in priced:
            heapq.heappush(heap, (rho, rank[j], j))
    if best_j < 0:
        return None
    if any(j != best_j and rho <= best * (1 + MARGIN) for rho, j in priced):
        raise _NearTie
    return best_j


@dataclass(slots=True)
class _Exact:
    """Exact budgets, brought up to date only when a round needs them."""

    fast: FastInstance
    start: Fraction
    budgets: list[Fraction] = field(default_factory=list)
    done: int = 0

    def round(self, order: list[int], last: dict[int, float]) -> tuple[tuple[int, ...], Fraction]:
        """Decide this round exactly: the winner first, then the projects it tied with, and their rho."""
        instance = self.fast.instance
        if not self.budgets:
            self.budgets = [self.start] * len(instance.weights)
        for j in order[self.done :]:
            rho = price(instance.costs[j], instance.supporters[j], self.budgets)
            if rho is None:
                msg = f"project index {j} was funded but is not affordable in exact arithmetic"
                raise RuntimeError(msg)
            pay(instance, j, rho, self.budgets)
        self.done = len(order)
        prices, tied = choose(instance, self.budgets, sorted(last))
        for j in list(last):
            if j in prices:
                last[j] = float(prices[j])
            else:
                del last[j]
        return tied, prices[tied[0]] if tied else Fraction(0)


@dataclass(frozen=True, slots=True)
class FastRun:
    """A fast run: the funding order, the exact ties broken, and facts that let Add1 skip raises.

    Attributes:
        order: the funded project indices in order.
        ties: `(round, candidates in tie-break order, exact rho)` per exact tie.
        calm: no supporter came within `MARGIN` of running out in any round, so every payment was `rho * u`
            with rho = cost / total utility, whatever the voter budget above this one.
        top: the largest rho paid (a float, only compared with a margin).
    """

    order: tuple[int, ...]
    ties: tuple[tuple[int, tuple[int, ...], Fraction], ...]
    calm: bool
    top: float


def run_fast(fast: FastInstance, start: Fraction) -> tuple[tuple[int, ...], Ties]:
    """The funding order of MES at voter budget `start`, and the exact ties broken on the way."""
    run = run_fast_full(fast, start)
    return run.order, list(run.ties)


def run_fast_full(fast: FastInstance, start: Fraction) -> FastRun:
    """MES at voter budget `start` in floats, exact near ties; see `FastRun`.

    Complexity: O(rounds * (log projects + priced supporters)) in numpy, plus exact rounds near ties.
    """
    budgets = np.full(len(fast.instance.weights), float(start), dtype=np.float64)
    # cost / total utility is a lower bound on every price (everyone paying `rho * u` in full), so a project is
    # first priced only when that bound comes near the best price.
    last = {j: fast.floor[j] for j in range(fast.instance.projects) if fast.groups[j].size}
    order: list[int] = []
    ties: Ties = []
    exact = _Exact(fast, start)
    heap = [(value, fast.instance.rank[j], j) for j, value in last.items()]
    heapq.heapify(heap)
    calm, top = True, 0.0
    while True:
        try:
            j = _round(fast, last, heap, budgets)
        except _NearTie:
            tied, exact_rho = exact.round(order, last)
            heap = [(value, fast.instance.rank[k], k) for k, value in last.items()]
            heapq.heapify(heap)
            if len(tied) > 1:
                ties.append((len(order), tied, exact_rho))
            j = tied[0] if tied else None
        if j is None:
            return FastRun(tuple(order), tuple(ties), calm, top)
        rho = last.pop(j)
        groups = fast.groups[j]
        held = budgets[groups]
        share = rho * fast.utilities[j]
        calm = calm and not np.count_nonzero(held < share * (1 + MARGIN))
        top = max(top, rho)
        budgets[groups] = held - np.minimum(held, share)
        order.append(j)
