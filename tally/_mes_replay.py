"""Exact MES rounds for a known funding order, touching `Fraction`s only where the rule needs them.

Voters whose budgets went through the same payments hold the same budget, so budgets live in classes: a class is
its parent class minus one payment `rho * u`, kept as a float for ordering and as an exact `Fraction` computed
only on demand. Class 0 is an empty budget, class 1 the starting one. A round needs exact budgets only for the
supporters who pay all they have and for those whose float budget is too close to their share to classify;
everyone else pays exactly `rho * u`, so rho and the round's total are exact without their budgets. When the
floats cannot be trusted to separate the two kinds, the round falls back to every budget in exact arithmetic.
"""

from __future__ import annotations

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
    """Budget classes in flat arrays: parent, index of the payment that made them, float value; exact memoised."""

    def __init__(self, start: Fraction, capacity: int) -> None:
        self.parent = np.zeros(capacity + 2, dtype=np.int64)
        self.paid = np.zeros(capacity + 2, dtype=np.int64)
        self.floats = np.zeros(capacity + 2, dtype=np.float64)
        self.floats[1] = float(start)
        self.payments: list[Fraction] = [Fraction(0)]
        self.exact: dict[int, Fraction] = {0: Fraction(0), 1: start}
        self.size = 2

    def value(self, c: int) -> Fraction:
        """The exact budget of class `c`."""
        chain = []
        while c not in self.exact:
            chain.append(c)
            c = int(self.parent[c])
        value = self.exact[c]
        for link in reversed(chain):
            value -= self.payments[int(self.paid[link])]
            self.exact[link] = value
        return value

    def children(self, parents: Ints, payment: Ints, floats: Floats) -> Ints:
        """New classes: each parent after the payment `self.payments[payment[i]]`."""
        ids = np.arange(self.size, self.size + parents.size, dtype=np.int64)
        self.parent[ids] = parents
        self.paid[ids] = payment
        self.floats[ids] = floats
        self.size += parents.size
        return ids


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
    left = int(np.dot(voters, utils)) - sum(int(voters[k]) * int(utils[k]) for k in sure)
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
    classes = _Classes(start, sum(fast.groups[j].size for j in order))
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
    """`sum(voters * budget)` over the entries `which`, adding integer numerators per denominator first.

    Budgets that went through the same payments share denominators, so this does a few `Fraction` additions
    instead of one per entry.
    """
    cls, _, voters, _ = entries
    numerators: dict[int, int] = {}
    for k in which:
        value = classes.value(int(cls[k]))
        numerators[value.denominator] = numerators.get(value.denominator, 0) + int(voters[k]) * value.numerator
    return sum((Fraction(n, d) for d, n in numerators.items()), Fraction(0))


def _charge(entries: Entries, rho: Fraction, drained: set[int], classes: _Classes, project: int) -> MesRound:
    """The round's record: who paid, who paid everything, and the exact total."""
    cls, utils, voters, _ = entries
    emptied = _emptied(entries, rho, drained, classes)
    capped = np.ones(cls.size, dtype=bool)
    capped[sorted(emptied)] = False
    capped &= cls != 0
    exhausted = sum(int(voters[k]) for k in emptied if cls[k])
    paid = _weighted_sum(classes, entries, [k for k in emptied if cls[k]])
    capped_utility = _exact_dot(voters[capped], utils[capped])
    payers = exhausted + (int(voters[capped].sum()) if rho else 0)
    return MesRound(project, rho, payers, exhausted, paid + rho * capped_utility)


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
    first = len(classes.payments)
    classes.payments.extend(rho * int(u) for u in values.tolist())
    shares = np.array([float(rho * int(u)) for u in values.tolist()], dtype=np.float64)
    new[capped] = classes.children(cls[capped], first + which, floats[capped] - shares[which])
    return new
