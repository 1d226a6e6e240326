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

import numpy as np
import numpy.typing as npt

from tally._mes_instance import MesInstance

__all__ = ["MARGIN", "FastInstance", "Floats", "NearTie", "Note", "Notes", "bound", "cap", "confirm", "price"]

MARGIN = 1e-9
"""Relative gap below which two floats are treated as a possible tie and exact arithmetic decides."""

_PASSES = 8
"""Water-filling passes before falling back to a sort (each pass adds at least one share that runs out)."""

Floats = npt.NDArray[np.float64]
Note = tuple[float, float, float, tuple[Floats, npt.NDArray[np.bool_]] | None]
"""`(rho, money, paying, out)` for a project priced: its float rho, the money of the supporters who run out at that
rho (`out`: each supporter's weight if they run out, else 0, and whether they run out; `None` when nobody does),
and the utility of those who pay in full. For a project found unaffordable: `(inf, all its supporters' money, 0, None)`.

A note taken at voter budget `b` after rounds `R` bounds the rho at any higher voter budget after the same rounds.
There every budget is at least what it was (by induction on `R`: each round's rho is at most what it was, so each
payer keeps at least as much). Let `F(x)` be the sum of `min(budget, x * utility)` over the supporters then and
`F'(x)` now. Below the noted rho, a supporter who paid in full pays `x * utility` either way, so only those who
ran out can pay more: `F'(x) <= F(x) + D`, `D` their extra money. `F` is concave and rises by at least `paying`
per unit of `x` below the rho, so `F'` cannot reach the cost below `rho - D / paying`.
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

    def pair(self, j: int) -> Floats:
        """A `2 x supporters` scratch array for `cap`: row 0 is free, row 1 holds `j`'s weights."""
        both = self.scratch.get(j)
        if both is None:
            both = self.scratch[j] = np.empty((2, self.weights[j].size))
            both[1] = self.weights[j]
        return both

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


class NearTie(Exception):
    """A signal, not an error: a decision is too close to call in floats."""


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
        if most is not None and notes is not None and j in notes:
            notes[j] = _per_utility(notes[j], uniform)  # noted by `cap` just now (notes start empty each round)
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


def _per_utility(note: Note, uniform: float) -> Note:
    """`cap`'s note (a cap, money, voters, out) as a price's when every utility is `uniform`."""
    most, money, voters, out = note
    return most / uniform, money, voters * uniform, out


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

    Each pass sums the money and the voters of those below the cap in one matrix product; the set below only
    grows, so an unchanged number of voters below (an exact integer in floats) is the fixed point. `notes`
    gets `(cap, money of those below it, voters paying it, weights of those below)` (`price` makes it a `Note`).
    """
    cost = float(fast.instance.costs[j])
    held = budgets[fast.groups[j]]
    voters = fast.voters[j]
    both = fast.pair(j)  # money and voters, summed together below
    paid = np.multiply(fast.weights[j], held, out=both[0])
    money = float(np.dot(fast.weights[j], held))
    if _unaffordable(j, money, cost, notes):
        return None
    sums: list[float] = (both @ (held < max(cost / voters, floor))).tolist()
    paid_out, voters_out = sums
    for _ in range(_PASSES):
        cap = (cost - paid_out) / (voters - voters_out)
        below = held < cap
        sums = (both @ below).tolist()
        grown_paid, grown_voters = sums
        if grown_voters == voters_out:
            if notes is not None:
                out = (fast.weights[j] * below, below) if grown_voters else None
                notes[j] = (cap, grown_paid, voters - voters_out, out)
            return cap
        paid_out, voters_out = grown_paid, grown_voters
    return _price_sorted(cost, held, paid.copy(), fast.weights[j])


def _price_sorted(cost: float, ratio: Floats, paid: Floats, weighted: Floats) -> float:
    order = np.argsort(ratio, kind="stable")
    paid_before = np.concatenate(([0.0], np.cumsum(paid[order])[:-1]))
    utility_before = np.concatenate(([0.0], np.cumsum(weighted[order])[:-1]))
    rhos = (cost - paid_before) / (weighted.sum() - utility_before)
    stops = np.flatnonzero(ratio[order] >= rhos)
    if stops.size == 0:
        raise NearTie
    return float(rhos[stops[0]])


def bound(fast: FastInstance, j: int, budgets: Floats, note: Note) -> float | None:
    """A lower bound on `j`'s rho now from a `Note` taken after the same rounds at a lower voter budget.

    `None` when `j` is clearly unaffordable now. At most two numpy calls, against a dozen for `price`.
    """
    rho, money, paying, out = note
    if out is None and paying:
        return rho  # nobody ran out: the price was cost / total utility, the least it can be
    held = budgets[fast.groups[j]]
    if out is None:  # noted unaffordable, but the extra money may be enough now
        return None if float(np.dot(fast.weights[j], held)) < fast.instance.costs[j] * (1 - MARGIN) else -np.inf
    now = float(np.dot(out[0], held))
    return rho - max(now - money, 0.0) / paying


def confirm(fast: FastInstance, j: int, budgets: Floats, note: Note) -> Note | float:
    """`j`'s price now as a new note, when exactly those who ran out in `note` run out now; else a lower bound.

    For a project whose supporters all have the same utility, noted after the same rounds at a lower voter budget
    (so it is affordable now too). If those who ran out, paying all they have now, and the rest, paying `x` each,
    pay the cost at a cap `x` below which exactly those hold less, then `x` is the water-filling's fixed point,
    the cap: two numpy calls and a comparison, against a water-filling's dozen. The lower bound is `bound`'s
    (`-inf` when there is none).
    """
    rho, before, paying, out = note
    uniform = fast.uniform[j]
    if not uniform or not paying:
        return -np.inf
    if out is None:
        return note  # nobody ran out, and budgets are at least what they were: still cost / total utility
    held = budgets[fast.groups[j]]
    money = float(np.dot(out[0], held))
    most = (float(fast.instance.costs[j]) - money) / (paying / uniform)
    if (held < most).tobytes() != out[1].tobytes():  # the fastest exact comparison of two boolean arrays
        return rho - max(money - before, 0.0) / paying
    return most / uniform, money, paying, out
