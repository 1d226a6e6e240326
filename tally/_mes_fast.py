"""The fast path of MES: float64 numpy over grouped ballots, exact by refusing to decide near a tie.

Floats only choose the order in which projects are funded. Every choice is a comparison (one rho against another,
or a project's money against its cost); when two sides are within a relative `MARGIN` of each other the fast
path gives up and the caller runs the exact reference (`tally._mes_exact.run_exact`) instead. Far from ties the
float decision equals the exact one, because the float error is many orders of magnitude below `MARGIN`
(budgets carry about `rounds * 2**-53` relative error). The exact reference then replays the order to publish
exact payments. A property test checks fast == exact on inputs built to sit on and near ties.

Prices are kept lazily: budgets only fall, so a project's rho only rises, and a round prices projects in order
of their last rho until the next one cannot come within `MARGIN` of the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tally._mes_instance import MesInstance

__all__ = ["MARGIN", "FastInstance", "run_fast"]

MARGIN = 1e-9
"""Relative gap below which two floats are treated as a possible tie and the exact reference decides."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FastInstance:
    """Per-project numpy arrays of supporter groups, weights and utilities."""

    groups: tuple[npt.NDArray[np.int64], ...]
    weights: tuple[Floats, ...]
    utilities: tuple[Floats, ...]
    costs: tuple[float, ...]
    group_count: int

    @classmethod
    def of(cls, instance: MesInstance) -> FastInstance:
        """Build the arrays once; every run at any voter budget reuses them."""
        rows = [np.array(s, dtype=np.int64).reshape(-1, 3) for s in instance.supporters]
        return cls(
            groups=tuple(r[:, 0].copy() for r in rows),
            weights=tuple(r[:, 1].astype(np.float64) for r in rows),
            utilities=tuple(r[:, 2].astype(np.float64) for r in rows),
            costs=tuple(float(c) for c in instance.costs),
            group_count=len(instance.weights),
        )


class _NearTie(Exception):  # noqa: N818 -- a signal, not an error: the exact reference takes over
    pass


def _price(fast: FastInstance, j: int, budgets: Floats) -> float | None:
    """Float rho of project `j`, `None` when clearly unaffordable; raises `_NearTie` when too close to call."""
    cost = fast.costs[j]
    held = budgets[fast.groups[j]]
    weights, utilities = fast.weights[j], fast.utilities[j]
    money = float(np.dot(weights, held))
    if money < cost * (1 - MARGIN):
        return None
    if money <= cost * (1 + MARGIN):
        raise _NearTie
    ratio = held / utilities
    order = np.argsort(ratio, kind="stable")
    paid_before = np.concatenate(([0.0], np.cumsum((weights * held)[order])[:-1]))
    weighted = (weights * utilities)[order]
    utility_before = np.concatenate(([0.0], np.cumsum(weighted)[:-1]))
    rhos = (cost - paid_before) / (weighted.sum() - utility_before)
    stops = np.flatnonzero(ratio[order] >= rhos)
    if stops.size == 0:
        raise _NearTie
    return float(rhos[stops[0]])


def _round(fast: FastInstance, rank: tuple[int, ...], last: dict[int, float], budgets: Floats) -> int | None:
    """Choose the next project, updating the lazy prices in `last`; `None` when nothing is affordable."""
    best, best_j = np.inf, -1
    priced: list[tuple[float, int]] = []
    for j in sorted(last, key=lambda j: (last[j], rank[j])):
        if last[j] > best * (1 + MARGIN):
            break
        rho = _price(fast, j, budgets)
        if rho is None:
            del last[j]
            continue
        last[j] = rho
        priced.append((rho, j))
        if rho < best:
            best, best_j = rho, j
    if best_j < 0:
        return None
    # Unpriced projects had a last rho above the margin when the loop stopped, so only priced ones can tie.
    if any(j != best_j and rho <= best * (1 + MARGIN) for rho, j in priced):
        raise _NearTie
    return best_j


def run_fast(fast: FastInstance, rank: tuple[int, ...], start: float) -> tuple[int, ...] | None:
    """The funding order of MES at voter budget `start`, or `None` when a decision was too close to call.

    Complexity: O(rounds * (projects log projects + priced supporters log supporters)), in numpy.
    """
    budgets = np.full(fast.group_count, start, dtype=np.float64)
    last = {j: 0.0 for j in range(len(fast.costs)) if fast.groups[j].size}
    order: list[int] = []
    try:
        while (j := _round(fast, rank, last, budgets)) is not None:
            rho = last.pop(j)
            groups = fast.groups[j]
            held = budgets[groups]
            budgets[groups] = held - np.minimum(held, rho * fast.utilities[j])
            order.append(j)
    except _NearTie:
        return None
    return tuple(order)
