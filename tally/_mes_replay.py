"""Exact MES rounds for a known funding order, touching `Fraction`s only where the rule needs them.

Voters whose budgets went through the same payments hold the same budget, so budgets live in classes: a class is
its parent class minus one payment `rho * u`, kept as a float for ordering and as an exact `Fraction` computed
only on demand. Class 0 is an empty budget, class 1 the starting one. A round needs exact budgets only for the
supporters who pay all they have and for those whose float budget is too close to their share to classify;
everyone else pays exactly `rho * u`, so rho and the round's total are exact without their budgets. When the
floats cannot be trusted to separate the two kinds, the round falls back to every budget in exact arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from tally._mes_exact import MesRound, MesRun
from tally._mes_fast import MARGIN, FastInstance

__all__ = ["replay"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Entries = tuple[Ints, Ints, Ints, Floats]  # per distinct (class, utility): class, utility, voters, float budget


class _Classes:
    """Budget classes in flat arrays: parent, index of the payment that made them, float value; exact memoised.

    Exact budgets are integer numerators over one denominator per generation (the payments of one round): each
    generation's denominator is a multiple of the last one's and of its payments' denominators, so a class is its
    parent's numerator, scaled, minus its payment's, with no gcd, and sums of budgets are sums of integers.
    """

    def __init__(self, start: Fraction, capacity: int, costs: Sequence[int]) -> None:
        self.parent = np.zeros(capacity + 2, dtype=np.int64)
        self.paid = np.zeros(capacity + 2, dtype=np.int64)
        self.generation = np.zeros(capacity + 2, dtype=np.int64)
        self.floats = np.zeros(capacity + 2, dtype=np.float64)
        self.floats[1] = float(start)
        self.payments: list[Fraction] = [Fraction(0)]
        self.scaled: list[int] = [0]  # each payment's numerator over its generation's denominator
        self.denominators: list[int] = [start.denominator]
        self.numerators: dict[int, int] = {0: 0, 1: start.numerator}
        self.exact: dict[int, Fraction] = {0: Fraction(0), 1: start}
        self.factors: dict[tuple[int, int], int] = {}
        self.costs = costs
        self.size = 2

    def numerator(self, c: int) -> int:
        """The exact budget of class `c` times its generation's denominator."""
        chain = []
        while c not in self.numerators:
            chain.append(c)
            c = int(self.parent[c])
        value, below = self.numerators[c], int(self.generation[c])
        for link in reversed(chain):
            generation = int(self.generation[link])
            value = value * self.scale(below, generation) - self.scaled[int(self.paid[link])]
            self.numerators[link], below = value, generation
        return value

    def scale(self, low: int, high: int) -> int:
        """The integer turning a numerator over generation `low`'s denominator into one over `high`'s."""
        factor = self.factors.get((low, high))
        if factor is None:
            factor = self.factors[low, high] = self.denominators[high] // self.denominators[low]
        return factor

    def value(self, c: int) -> Fraction:
        """The exact budget of class `c`."""
        if c not in self.exact:
            self.exact[c] = Fraction(self.numerator(c), self.denominators[int(self.generation[c])])
        return self.exact[c]

    def add_payments(self, payments: Sequence[Fraction]) -> int:
        """Start a generation with these payments; the index of the first."""
        denominator = self.denominators[-1]
        for payment in payments:
            denominator = math.lcm(denominator, payment.denominator)
        self.denominators.append(denominator)
        first = len(self.payments)
        self.payments.extend(payments)
        self.scaled.extend(p.numerator * (denominator // p.denominator) for p in payments)
        return first

    def children(self, parents: Ints, payment: Ints, floats: Floats) -> Ints:
        """New classes of the latest generation: each parent after the payment `self.payments[payment[i]]`."""
        ids = np.arange(self.size, self.size + parents.size, dtype=np.int64)
        self.parent[ids] = parents
        self.paid[ids] = payment
        self.generation[ids] = len(self.denominators) - 1
        self.floats[ids] = floats
        self.size += parents.size
        return ids

    def weighted_sum(self, classes: Ints, voters: Ints) -> Fraction:
        """`sum(voters[i] * budget of classes[i])`, in integers per generation, then one `Fraction`."""
        keep = classes != 0
        by_generation: dict[int, int] = {}
        for c, w, g in zip(
            classes[keep].tolist(), voters[keep].tolist(), self.generation[classes[keep]].tolist(), strict=True
        ):
            by_generation[g] = by_generation.get(g, 0) + w * self.numerator(c)
        if not by_generation:
            return Fraction(0)
        top = max(by_generation)
        return Fraction(sum(n * self.scale(g, top) for g, n in by_generation.items()), self.denominators[top])


def _float_rho(cost: int, entries: Entries) -> float:
    _, utils, voters, floats = entries
    ratio = floats / utils
    total = float(np.dot(voters, utils))
    approx = cost / total
    out = ratio < approx
    for _ in range(len(ratio) + 1):  # water-filling: the set of those who run out only grows
        rest = total - float(np.dot(voters[out], utils[out]))
        if rest <= 0:
            return float(np.inf)
        approx = (cost - float(np.dot(voters[out], floats[out]))) / rest
        grown = ratio < approx
        if np.count_nonzero(grown) == np.count_nonzero(out):
            break
        out = grown
    return approx


def _drain(
    cost: int, entries: Entries, classes: _Classes, candidates: Sequence[int], sure: Sequence[int] = ()
) -> tuple[Fraction, set[int]]:
    """The exact loop of `price` over part of the entries.

    `sure` entries run out, `candidates` are checked from the poorest up, and the rest are assumed to pay their
    full share.
    """
    cls, utils, voters, _ = entries
    drained = set(sure)
    remaining = cost - _weighted_sum(classes, entries, sure)
    picked = np.asarray(sure, dtype=np.int64)
    left = _exact_dot(voters, utils) - _exact_dot(voters[picked], utils[picked])
    for k in sorted(candidates, key=lambda k: classes.value(int(cls[k])) / int(utils[k])):
        b, u, w = classes.value(int(cls[k])), int(utils[k]), int(voters[k])
        if b * left >= remaining * u:
            break
        remaining, left = remaining - w * b, left - w * u
        drained.add(k)
    if left <= 0:
        msg = "a project in the funding order is not affordable in exact arithmetic"
        raise RuntimeError(msg)
    return remaining / left, drained


def _rho(cost: int, entries: Entries, classes: _Classes) -> tuple[Fraction, set[int]]:
    """Exact rho and the entries with `b < rho * u`, from exact budgets of the entries near or below the share.

    Entries far below the float rho surely run out and far above surely pay their share; only the band between
    is ordered exactly. The result stands when the exact rho lands within `MARGIN` of the float one, which puts
    it inside the band; otherwise every entry is ordered exactly.
    """
    approx = _float_rho(cost, entries)
    if np.isfinite(approx) and approx > 0:
        ratio = entries[3] / entries[1]
        sure = np.flatnonzero(ratio < approx * (1 - 4 * MARGIN)).tolist()
        band = np.flatnonzero(np.abs(ratio - approx) <= 4 * MARGIN * approx).tolist()
        rho, drained = _drain(cost, entries, classes, band, sure)
        if abs(float(rho) - approx) <= MARGIN * approx:
            return rho, drained
    return _drain(cost, entries, classes, range(len(entries[0])))


def _entries(fast: FastInstance, j: int, cls: Ints, classes: _Classes) -> tuple[Entries, Ints]:
    """The distinct (class, utility) pairs among `j`'s supporters, and each supporter's pair."""
    utilities = fast.utilities_int[j]
    values, which = np.unique(utilities, return_inverse=True)
    keys, inverse = np.unique(cls[fast.groups[j]] * values.size + which, return_inverse=True)
    voters = np.bincount(inverse, weights=fast.weights[j]).round().astype(np.int64)
    entry_cls = keys // values.size
    return (entry_cls, values[keys % values.size], voters, classes.floats[entry_cls]), inverse


def replay(fast: FastInstance, start: Fraction, order: Sequence[int]) -> MesRun:
    """The exact rounds of MES at voter budget `start` when the funding order is known.

    Complexity: per round, numpy over the project's supporters plus `Fraction`s for those who run out.
    """
    instance = fast.instance
    classes = _Classes(start, sum(fast.groups[j].size for j in order), instance.costs)
    cls = np.ones(len(instance.weights), dtype=np.int64)
    rounds: list[MesRound] = []
    for j in order:
        entries, inverse = _entries(fast, j, cls, classes)
        rho, drained = _rho(instance.costs[j], entries, classes)
        rounds.append(_charge(entries, rho, drained, classes, j))
        new = entries[0].copy()
        if rho:
            new = _pay_classes(entries, rho, drained, classes)
        cls[fast.groups[j]] = new[inverse]
    return MesRun(start, tuple(rounds))


def _exact_dot(a: Ints, b: Ints) -> int:
    """`a . b` as a Python int, without int64 overflow."""
    if float(np.dot(a.astype(np.float64), b.astype(np.float64))) < 2.0**62:
        return int(np.dot(a, b))
    return sum(x * y for x, y in zip(a.tolist(), b.tolist(), strict=True))


def _weighted_sum(classes: _Classes, entries: Entries, which: Sequence[int]) -> Fraction:
    """`sum(voters * budget)` over the entries `which` (see `_Classes.weighted_sum`)."""
    cls, _, voters, _ = entries
    picked = np.asarray(which, dtype=np.int64)
    return classes.weighted_sum(cls[picked], voters[picked])


def _charge(entries: Entries, rho: Fraction, drained: set[int], classes: _Classes, project: int) -> MesRound:
    """The round's record: who paid, who paid everything, and the total.

    The total is the cost: rho is `(cost - money of those who run out) / utility of the rest`, so what those pay
    (all they have) and what the rest pay (`rho * u`) add up to the cost exactly; the property tests compare it
    with the reference's sum of payments.
    """
    cls, _, voters, _ = entries
    gone = np.asarray(sorted(_emptied(entries, rho, drained, classes)), dtype=np.int64)
    gone = gone[cls[gone] != 0]
    capped = np.ones(cls.size, dtype=bool)
    capped[gone] = False
    capped &= cls != 0
    exhausted = int(voters[gone].sum())
    payers = exhausted + (int(voters[capped].sum()) if rho else 0)
    return MesRound(project, rho, payers, exhausted, Fraction(classes.costs[project]))


def _emptied(entries: Entries, rho: Fraction, drained: set[int], classes: _Classes) -> set[int]:
    """Entries left with nothing: those below the share, and those exactly at it."""
    cls, utils, _, floats = entries
    near = np.flatnonzero(np.abs(floats - float(rho) * utils) <= 4 * MARGIN * float(rho) * utils).tolist()
    return drained | {k for k in near if classes.value(int(cls[k])) == rho * int(utils[k])}


def _pay_classes(entries: Entries, rho: Fraction, drained: set[int], classes: _Classes) -> Ints:
    """Each entry's class after paying `min(b, rho * u)`: class 0 for the emptied, a new class for the rest."""
    cls, utils, _, floats = entries
    new = np.zeros(cls.size, dtype=np.int64)
    capped = np.ones(cls.size, dtype=bool)
    capped[sorted(_emptied(entries, rho, drained, classes))] = False
    capped &= cls != 0
    values, which = np.unique(utils[capped], return_inverse=True)
    first = classes.add_payments([rho * int(u) for u in values.tolist()])
    shares = np.array([float(rho * int(u)) for u in values.tolist()], dtype=np.float64)
    new[capped] = classes.children(cls[capped], first + which, floats[capped] - shares[which])
    return new
