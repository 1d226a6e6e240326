"""How far the voter budget can rise before a MES run's outcome can change: Add1's long strides.

Add1 raises every voter's budget one currency unit at a time. Where the unit is small next to the costs (forints:
Budapest 2022 starts at 235,769 a voter and changes its funding order about once every 10,000 raises) stepping is
hopeless, and a run must say how many raises keep its outcome.

Take a run at voter budget `b` and follow it at `b + t`, keeping its rounds: the same project funded each round,
and among its supporters the same ones paying all they have left. Then every voter's money at every round is
affine in `t` (it starts at `b + t`; a supporter who runs out keeps 0; any other pays `rho(t) * u`, where
`rho(t)` solves `sum of money of those who run out + rho * utility of the others = cost`, affine too). The run
stays what MES does for as long as:

- each round's winner keeps its payers: those who ran out still hold at most `rho(t) * u` (the others hold more
  and more: every voter's money only grows with `t`, and `rho(t)` only falls);
- no other project undercuts it. A project's price is a convex function of its supporters' money (the least
  `rho` in a convex set `sum min(m, rho * u) >= cost`), so along affine money it lies above its tangent at
  `t = 0`: a project whose tangent stays above the winner's line cannot undercut it, whatever its own payers do;
- no project that was unaffordable becomes affordable (its supporters' money, affine, stays below its cost),
  which covers the last round, where nothing was.

Each condition is a line in `t` that holds at `t = 0` with a relative margin (else nothing is claimed); the
first one to fail bounds the stride. All of this is in float64 with margins far above its rounding error, and
the stride is shortened by a relative `_SAFETY`: a claimed stride is never longer than the true one. Pricing
every project in every round costs some dozens of plain MES runs, so Add1 asks only where stepping is long.
"""

from __future__ import annotations

import math

import numpy as np

from tally._mes_fast import FastRun
from tally._mes_price import MARGIN, FastInstance, Floats, price_by_sorting

__all__ = ["stable_raises"]

_SAFETY = 1e-6
"""Relative shortening of a stride: rounding errors in the lines are below 1e-12 relative."""


def stable_raises(fast: FastInstance, run: FastRun) -> int:
    """The number of raises that keep `run`'s funding order, plus one: the next raise to run (1: nothing said).

    `run` is the fast run at its voter budget `run.start`; every run at `run.start + t` for a whole `t` from 1
    to the result minus one funds the same projects in the same order.

    Complexity: O((rounds + 1) * supporters log supporters) in numpy: every unfunded project that could come
    near the winner is priced in every round.
    """
    instance = fast.instance
    money = np.full(len(instance.weights), float(run.start))
    slope = np.ones(len(instance.weights))  # d money / d t: every voter gets the raise
    alive = [j for j in range(instance.projects) if fast.groups[j].size]
    stride = math.inf
    for winner in run.order:
        limit = _round_limit(fast, winner, alive, money, slope)
        if limit is None:
            return 1
        stride = min(stride, limit)
        alive.remove(winner)
    last = _last_round_limit(fast, alive, money, slope)
    if last is None:
        return 1
    stride = min(stride, last)
    if stride == math.inf:
        return 1  # nothing left that could change: Add1 stops on its own
    return math.floor(stride * (1 - _SAFETY)) + 1


def _round_limit(fast: FastInstance, winner: int, alive: list[int], money: Floats, slope: Floats) -> float | None:
    """The `t` until which this round keeps `winner` and its payers, then pay (money and slopes updated).

    `None` when nothing can be said (a decision too close to call at `t = 0`).
    """
    line = _line(fast, winner, money, slope)
    if not isinstance(line, tuple):
        return None  # near a tie or unaffordable: the fast run's winner is not clearly this one
    rho, fall = line
    ceiling = rho * (1 + MARGIN) ** 2  # the winner's rho only falls with `t`
    limit = math.inf
    for j in alive:
        if j == winner or (fast.floor[j] > ceiling and _affordable(fast, j, money)):
            continue  # dearer than the winner's rho now even if all its supporters paid in full
        other = _line(fast, j, money, slope)
        if other is None:
            return None
        until = other if isinstance(other, float) else _undercut(fast, (winner, rho, fall), (j, *other), money)
        if until is None:
            return None
        limit = min(limit, until)
    return min(limit, _pay(fast, winner, (rho, fall), money, slope))


def _last_round_limit(fast: FastInstance, alive: list[int], money: Floats, slope: Floats) -> float | None:
    """The `t` until which nothing left is affordable; `None` when something is, or nearly."""
    limit = math.inf
    for j in alive:
        line = _line(fast, j, money, slope)
        if not isinstance(line, float):
            return None  # the fast run found nothing affordable: a near tie decided otherwise
        limit = min(limit, line)
    return limit


def _undercut(
    fast: FastInstance, winner: tuple[int, float, float], other: tuple[int, float, float], money: Floats
) -> float | None:
    """The `t` before which `other`'s tangent stays above `winner`'s line (each `(project, rho, fall)`).

    `None` when the two are too close at `t = 0` and `_settled_behind` cannot decide it exactly.
    """
    w, rho, fall = winner
    j, price, price_fall = other
    gap = price - rho
    if gap <= MARGIN * rho:
        return math.inf if _settled_behind(fast, w, j, money) else None
    closing = fall - price_fall + MARGIN * (abs(fall) + abs(price_fall))  # how fast the tangent comes down
    return gap * (1 - MARGIN) / closing if closing > 0 else math.inf


def _settled_behind(fast: FastInstance, winner: int, j: int, money: Floats) -> bool:
    """Whether `j` stays behind a settled `winner` at every `t`, in exact arithmetic (a tie going to the winner).

    Settled (`FastInstance.settled_price`): each supporter holds nothing (and keeps holding nothing: those who
    ran out get no slope) or clearly more than their share, which stays so (money only grows), so its price
    stays cost / the utility of those with money. `j`'s price is never below its cost over the utility of its
    supporters with money, since the others pay nothing. Zeros here are exact: `_line` refuses a winner with
    a supporter near running out.
    """
    price = fast.settled_price(winner, money)
    if price is None:
        return False
    floor = fast.money_floor(j, money[fast.groups[j]])
    if floor is None:
        return False
    rank = fast.instance.rank
    return floor > price or (floor == price and rank[winner] < rank[j])


def _affordable(fast: FastInstance, j: int, money: Floats) -> bool:
    """Whether `j`'s supporters clearly hold its cost now (then they do at any `t`: money only grows)."""
    return float(np.dot(fast.weights[j], money[fast.groups[j]])) > fast.instance.costs[j] * (1 + MARGIN)


def _line(fast: FastInstance, j: int, money: Floats, slope: Floats) -> tuple[float, float] | float | None:
    """Project `j`'s price now and the slope of its tangent in `t`; when unaffordable, when it may become so.

    That `t` is `inf` when never; `None`: too close to call.
    """
    instance = fast.instance
    groups = fast.groups[j]
    weights = fast.weights[j]
    utilities = fast.utilities[j]
    held = money[groups]
    cost = float(instance.costs[j])
    total = float(np.dot(weights, held))
    if total <= cost * (1 + MARGIN):
        if total >= cost * (1 - MARGIN):
            return None
        growth = float(np.dot(weights, slope[groups]))
        if growth <= 0:
            return math.inf
        return (cost * (1 - MARGIN) - total) / (growth * (1 + MARGIN))
    ratio = held / utilities
    found = price_by_sorting(cost, ratio, weights * held, fast.weighted[j])
    if found is None:
        return None
    rho, out, paying = found
    if np.count_nonzero(np.abs(ratio - rho) <= MARGIN * rho):
        return None  # a supporter about to run out: the tangent's slope is ambiguous
    fall = -float(np.dot(weights[out], slope[groups[out]])) / paying
    return rho, fall


def _pay(fast: FastInstance, j: int, line: tuple[float, float], money: Floats, slope: Floats) -> float:
    """Fund `j` at `rho(t) = rho + fall * t`: its supporters pay, money and slopes updated in place.

    Returns the `t` until which those who ran out still do (inf: always).
    """
    rho, fall = line
    groups = fast.groups[j]
    utilities = fast.utilities[j]
    held = money[groups]
    grow = slope[groups]
    share = rho * utilities
    out = held < share
    limit = math.inf
    if out.any():
        gap = share[out] - held[out]  # > MARGIN relative: `_line` refused anything closer
        closing = grow[out] - fall * utilities[out]
        closing = closing + MARGIN * (np.abs(grow[out]) + np.abs(fall) * utilities[out])
        rising = closing > 0
        if rising.any():
            limit = float(np.min(gap[rising] * (1 - MARGIN) / closing[rising]))
    money[groups] = np.where(out, 0.0, held - share)
    slope[groups] = np.where(out, 0.0, grow - fall * utilities)
    return limit
