"""Pricing one project in floats: the rho at which its supporters can pay for it, or "clearly unaffordable".

Each supporter pays `min(budget, rho * utility)`; the price is found by water-filling: start from "nobody runs
out", add the supporters who cannot pay that share, and repeat until nobody new runs out. Every comparison that
decides something is made with a relative `MARGIN`; a decision closer than that raises `NearTie` and the caller
decides it in exact arithmetic.

A price comes with a `Note` that bounds the same project's price in a later run at a higher voter budget after
the same rounds (`bound`), for two numpy calls instead of a water-filling: Add1 reruns MES at budgets one unit
apart, and most of those runs begin with the same rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from tally._mes_instance import MesInstance

__all__ = [
    "MARGIN",
    "FastInstance",
    "Floats",
    "NearTie",
    "Note",
    "Notes",
    "bound",
    "cap",
    "follow",
    "price",
    "price_by_sorting",
]

MARGIN = 1e-9
"""Relative gap below which two floats are treated as a possible tie and exact arithmetic decides."""

_PASSES = 8
"""Water-filling passes before falling back to a sort (each pass adds at least one share that runs out)."""

Floats = npt.NDArray[np.float64]
Note = tuple[float, float, float, tuple[Floats, npt.NDArray[np.bool_]] | None]
"""`(rho, money, paying, out)` for a project priced: its float rho, the money of the supporters who run out at that
rho (`out`: each supporter's weight if they run out, else 0, and whether they run out; `None` when nobody does),
and the utility of those who pay in full. For a project found unaffordable: `(inf, all its supporters' money, 0, None)`.

A note bounds the same project's price at any budgets, in any later run or round. Those who paid in full then
pay at most `x * utility` at any price `x`, and those who ran out pay at most what they hold now, `money + D`
with `D` their money now minus then (of any sign); the cost `money + rho * paying` is then out of reach below
`rho - D / paying`. Add1 reruns MES at voter budgets one unit apart, whose rounds mostly coincide, so the
bound is usually close.
"""
Notes = dict[int, Note]


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
    scratch: dict[int, Floats] = field(default_factory=dict)
    exact_totals: dict[int, int] = field(default_factory=dict)

    def exact_total(self, j: int) -> int:
        """The total utility of `j`'s supporters, an exact integer (int64 products could overflow)."""
        total = self.exact_totals.get(j)
        if total is None:
            total = self.exact_totals[j] = _exact_utility(self.instance.supporter_arrays()[j])
        return total

    def pair(self, j: int) -> Floats:
        """A `2 x supporters` scratch array for `cap`: row 0 is free, row 1 holds `j`'s weights."""
        both = self.scratch.get(j)
        if both is None:
            both = self.scratch[j] = np.empty((2, self.weights[j].size))
            both[1] = self.weights[j]
        return both

    def settled_price(self, j: int, budgets: Floats) -> Fraction | None:
        """`j`'s exact rho when every supporter holds nothing or clearly more than their share, else `None`.

        Clearly: by a relative `MARGIN`, far above the budgets' float error. The rho is then cost / the total
        utility of those with money left. Zeros must be exact (the caller's to know).
        """
        held = budgets[self.groups[j]]
        floor = self.money_floor(j, held)
        if floor is None:
            return None
        share = float(floor) * (1 + MARGIN)
        if np.count_nonzero((held <= share * self.utilities[j]) & (held != 0.0)):
            return None
        return floor

    def money_floor(self, j: int, held: Floats) -> Fraction | None:
        """Cost / the exact utility of `j`'s supporters whose money `held` is not 0.0: a floor on its rho.

        Those with nothing pay nothing and the others at most `rho * u`. `None` when nobody has money.
        """
        empty = held == 0.0
        total = self.exact_total(j) - (_exact_utility(self.instance.supporter_arrays()[j][empty]) if empty.any() else 0)
        return Fraction(self.instance.costs[j], total) if total > 0 else None

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


def _exact_utility(rows: npt.NDArray[np.int64]) -> int:
    """The total weight times utility of supporter rows `(group, weight, utility)`, in Python integers."""
    return sum(w * u for _, w, u in rows.tolist())


class NearTie(Exception):
    """A signal, not an error: a decision is too close to call in floats.

    `close`: when the decision is between projects' prices, those too close to call (else empty).
    """

    def __init__(self, close: list[int] | None = None) -> None:
        super().__init__()
        self.close = close or []


def price(fast: FastInstance, j: int, budgets: Floats, floor: float = 0.0, notes: Notes | None = None) -> float | None:
    """Float rho of project `j`, `None` when clearly unaffordable; raises `NearTie` when too close to call.

    `floor` is a known lower bound on the rho (its last price: budgets only fall). Water-filling may start from
    any lower bound: everyone below it is below the rho too, and adding them gives a rho still at most the true
    one, so the passes rise to the same fixed point, in fewer passes. When `notes` is given, a price found is
    noted there with its supporters' money and paying utility (see `Note`).
    """
    uniform = fast.uniform[j]
    if uniform:  # approval ballots: every supporter has the same utility, so work with payments directly
        most = cap(fast, j, budgets, floor * uniform, notes)
        return None if most is None else most / uniform
    cost = float(fast.instance.costs[j])
    held = budgets[fast.groups[j]]
    rho = cost / fast.totals[j]
    ratio = held / fast.utilities[j]
    weights = fast.weights[j]
    if not np.count_nonzero(ratio < rho * (1 + MARGIN)):
        if notes is not None:
            notes[j] = (rho, 0.0, fast.totals[j], None)
        return rho  # everyone clearly pays the equal share, so the money clearly covers the cost
    money = float(np.dot(weights, held))
    if _unaffordable(j, money, cost, notes):
        return None
    out = ratio < max(rho, floor)
    count = int(np.count_nonzero(out))
    for _ in range(_PASSES):
        paying = fast.totals[j] - float(fast.weighted[j][out].sum())
        paid_out = float(np.dot(weights[out], held[out]))
        rho = (cost - paid_out) / paying
        grown = ratio < rho
        grown_count = int(np.count_nonzero(grown))
        if grown_count == count:  # the set only grows, so an equal count is the same set: a fixed point
            if notes is not None:
                notes[j] = (rho, paid_out, paying, (weights * grown, grown))
            return rho
        out, count = grown, grown_count
    return _price_sorted(cost, ratio, weights * held, fast.weighted[j])


def _unaffordable(j: int, money: float, cost: float, notes: Notes | None) -> bool:
    """Whether `j`'s supporters clearly cannot pay its cost (noted so); `NearTie` when too close to call."""
    if money < cost * (1 - MARGIN):
        if notes is not None:
            notes[j] = (np.inf, money, 0.0, None)
        return True
    if money <= cost * (1 + MARGIN):
        raise NearTie
    return False


def cap(fast: FastInstance, j: int, budgets: Floats, floor: float = 0.0, notes: Notes | None = None) -> float | None:
    """The most any supporter of `j` pays when all have the same utility: water-filling on budgets from `floor`.

    `notes` gets the price's `Note` (per unit of utility, as `price` finds it).
    """
    cost = float(fast.instance.costs[j])
    held = budgets[fast.groups[j]]
    if _unaffordable(j, float(np.dot(fast.weights[j], held)), cost, notes):
        return None
    return _fill(fast, j, held, held < max(cost / fast.voters[j], floor), notes)


def _fill(fast: FastInstance, j: int, held: Floats, below: npt.NDArray[np.bool_], notes: Notes | None) -> float:
    """`cap`'s water-filling for an affordable `j` from `below`, supporters who surely hold less than the cap.

    Each pass sums the money and the voters of those below the cap in one matrix product; the set below only
    grows, so an unchanged number of supporters below is the fixed point (counted, without a product).
    """
    cost = float(fast.instance.costs[j])
    voters = fast.voters[j]
    both = fast.pair(j)  # money and voters, summed together below
    paid = np.multiply(fast.weights[j], held, out=both[0])
    count = int(np.count_nonzero(below))
    for _ in range(_PASSES):
        sums: list[float] = (both @ below).tolist()
        paid_out, voters_out = sums
        cap = (cost - paid_out) / (voters - voters_out)
        below = held < cap
        grown = int(np.count_nonzero(below))
        if grown == count:
            if notes is not None:
                uniform = fast.uniform[j]
                out = (fast.weights[j] * below, below) if grown else None
                notes[j] = (cap / uniform, paid_out, (voters - voters_out) * uniform, out)
            return cap
        count = grown
    return _price_sorted(cost, held, paid.copy(), fast.weights[j])


def _price_sorted(cost: float, ratio: Floats, paid: Floats, weighted: Floats) -> float:
    found = price_by_sorting(cost, ratio, paid, weighted)
    if found is None:
        raise NearTie
    return found[0]


def price_by_sorting(
    cost: float, ratio: Floats, paid: Floats, weighted: Floats
) -> tuple[float, npt.NDArray[np.intp], float] | None:
    """Water-filling by one sort: the rho, the supporters who run out (indices) and the others' utility.

    `ratio`: each supporter's money over utility; `paid`: what each pays running out (weight times money);
    `weighted`: weight times utility. `None` when no stop is found (floats too close to call).
    """
    order = np.argsort(ratio, kind="stable")
    paid_before = np.concatenate(([0.0], np.cumsum(paid[order])[:-1]))
    utility_before = np.concatenate(([0.0], np.cumsum(weighted[order])[:-1]))
    total = float(weighted.sum())
    rhos = (cost - paid_before) / (total - utility_before)
    stops = np.flatnonzero(ratio[order] >= rhos)
    if stops.size == 0:
        return None
    k = int(stops[0])
    return float(rhos[k]), order[:k], total - float(utility_before[k])


def bound(fast: FastInstance, j: int, budgets: Floats, note: Note) -> float | None:
    """A lower bound on `j`'s rho now from a `Note` on it (see `Note`); `None` when clearly unaffordable now.

    At most two numpy calls, against a dozen for `price`.
    """
    rho, money, paying, out = note
    if out is None and paying:
        return rho  # nobody ran out: the price was cost / total utility, the least it can be
    held = budgets[fast.groups[j]]
    if out is None:  # noted unaffordable, but the extra money may be enough now
        return None if float(np.dot(fast.weights[j], held)) < fast.instance.costs[j] * (1 - MARGIN) else -np.inf
    return rho - (float(np.dot(out[0], held)) - money) / paying


def follow(
    fast: FastInstance, j: int, budgets: Floats, note: Note, *, floor: float, notes: Notes | None, strict: bool = False
) -> float | None:
    """`j`'s price now from a note on it (`price` from `floor` otherwise), noted in `notes` when given.

    For a project whose supporters all have the same utility. If those who ran out, paying all they have now,
    and the rest, paying `x` each, pay the cost at a cap `x` below which exactly those hold less, then `x` is the
    water-filling's fixed point, the cap: a few numpy calls and a comparison, against a water-filling's dozen.
    Otherwise `x` is still a lower bound on the cap (`Note`), and the water-filling goes on from there.
    `None`: clearly unaffordable. `strict`: the note was taken after the same rounds at a lower voter budget,
    so every budget is at least what it was: `j` is still affordable, and still at cost / total utility when
    nobody ran out then.
    """
    _, _, paying, out = note
    uniform = fast.uniform[j]
    if not uniform or not paying:
        return price(fast, j, budgets, floor, notes)
    if out is not None or not strict:  # else nobody ran out then, and budgets are at least what they were
        held = budgets[fast.groups[j]]
        cost = float(fast.instance.costs[j])
        if not strict and _unaffordable(j, float(np.dot(fast.weights[j], held)), cost, notes):
            return None
        money = float(np.dot(out[0], held)) if out else 0.0
        most = (cost - money) / (paying / uniform)
        below = held < most
        if (below.tobytes() != out[1].tobytes()) if out else below.any():  # bytes: the fastest exact comparison
            start = below if most >= floor * uniform else held < floor * uniform
            return _fill(fast, j, held, start, notes) / uniform
        note = (most / uniform, money, paying, out)
    if notes is not None:
        notes[j] = note
    return note[0]
