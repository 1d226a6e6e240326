"""The fast path of MES: float64 numpy over grouped ballots, exact wherever a decision is close.

Floats only choose the order in which projects are funded. Every choice is a comparison (one rho against another,
or a project's money against its cost). When two sides are within a relative `MARGIN` of each other, that round
is decided by the exact reference instead (`tally._mes_exact.choose`, on exact budgets rebuilt by replaying the
rounds so far), and a tie is recorded only when the exact rhos are equal. Far from ties the float decision equals
the exact one: the float error (about `rounds * 2**-53` relative) is many orders of magnitude below `MARGIN`.
A property test checks fast == exact on inputs built to sit on and near ties.

Prices are kept lazily: budgets only fall, so a project's rho only rises, and a round prices projects in order
of their last rho until the next one cannot come within `MARGIN` of the best (`tally._mes_price` prices one).

A run may be given the run at a lower voter budget (Add1 reruns MES one unit higher each time, and most reruns
begin with the same rounds). Each round prices that run's winner first (or, once the rounds differ, the winner
of the same round or the one before) and bounds every other project's price from that run's `Note` (two numpy
calls), pricing only the projects the bound cannot put clearly above the best. A note bounds a price at any
budgets, so the notes serve after the rounds part too (a run one unit higher mostly swaps two rounds, after which
budgets are close again). The choice is the same either way: only provable lower bounds change.
"""

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from tally._mes_exact import choose, pay, price
from tally._mes_price import MARGIN, FastInstance, Floats, NearTie, Note, Notes, bound, follow
from tally._mes_price import price as float_price

__all__ = ["MARGIN", "FastInstance", "FastRun", "run_fast", "run_fast_full"]

Ties = list[tuple[int, tuple[int, ...], Fraction]]
Hint = tuple[int | None, Notes, bool] | None


Heap = list[tuple[float, int, int]]


_HIGH = 1 + MARGIN


def _round(
    fast: FastInstance, last: dict[int, float], heap: Heap, budgets: Floats, *, notes: Notes | None, hint: Hint = None
) -> int | None:
    """Choose the next project, updating the lazy prices in `last`; `None` when nothing is affordable.

    `heap` holds `(last rho, rank, project)`; entries whose rho is no longer the project's last are stale. Prices
    found are noted in `notes` when given. `hint` is what a run at a lower voter budget left for this round
    (`_hint`): a project priced first (`tally._mes_price.follow`), and notes that bound the other projects'
    prices (`tally._mes_price.bound`) so that only those the bound cannot separate from the best are priced.
    Written flat, without a per-round object: Add1 runs this some 20,000 times on a city's file.
    """
    lead, known, strict = hint or (None, {}, False)
    priced: list[tuple[float, int]] = []
    best = np.inf
    try:
        if lead is not None and lead in last:
            best = _lead(
                fast, lead, budgets, note=known.get(lead), strict=strict, last=last, notes=notes, priced=priced
            )
        while heap:
            value, _, j = heap[0]
            if last.get(j) != value:
                heapq.heappop(heap)
                continue
            if value > best * _HIGH:
                break  # every other project's rho is at least its last one, too far above the best to tie
            heapq.heappop(heap)
            if j == lead:
                continue  # priced above (else no longer in `last`), pushed again below
            note = known.get(j)
            floor = value if note is None else _settle(fast, j, budgets, (value, best), note=note, last=last, heap=heap)
            if floor is None:
                continue
            rho = float_price(fast, j, budgets, floor, notes)
            if rho is None:
                del last[j]
                continue
            last[j] = rho
            priced.append((rho, j))
            best = min(best, rho)
    finally:
        for rho, j in priced:
            heapq.heappush(heap, (rho, fast.instance.rank[j], j))
    return _winner(priced)


def _lead(
    fast: FastInstance,
    j: int,
    budgets: Floats,
    *,
    note: Note | None,
    strict: bool,
    last: dict[int, float],
    notes: Notes | None,
    priced: list[tuple[float, int]],
) -> float:
    """Price the hint's project `j` first, from its note when there is one; its rho (inf when unaffordable)."""
    if note is None:
        rho = float_price(fast, j, budgets, last[j], notes)
    else:
        rho = follow(fast, j, budgets, note, floor=last[j], notes=notes, strict=strict)
    if rho is None:
        del last[j]
        return np.inf
    last[j] = rho
    priced.append((rho, j))
    return rho


def _settle(
    fast: FastInstance,
    j: int,
    budgets: Floats,
    values: tuple[float, float],
    *,
    note: Note,
    last: dict[int, float],
    heap: Heap,
) -> float | None:
    """Settle `j` by a note; `None` when settled, else a floor to price it from (`values`: its last rho, the best).

    Settled: unaffordable now, or bounded too far above the best to tie (its bound becomes its last price).
    """
    value, best = values
    low = bound(fast, j, budgets, note)
    if low is None:
        del last[j]
        return None
    if low > best * _HIGH * _HIGH:
        last[j] = low / _HIGH
        heapq.heappush(heap, (last[j], fast.instance.rank[j], j))
        return None
    return max(value, low * (1 - MARGIN))


def _winner(priced: list[tuple[float, int]]) -> int | None:
    """The cheapest project priced, `None` when none is affordable; raises `NearTie` when too close to call.

    The `NearTie` names the projects too close to call, for `_settled_tie`.
    """
    if not priced:
        return None
    best, best_j = min(priced)
    close = [j for rho, j in priced if rho <= best * _HIGH]
    if len(close) > 1:
        raise NearTie(close)
    return best_j


def _settled_tie(fast: FastInstance, close: list[int], budgets: Floats) -> tuple[tuple[int, ...], Fraction] | None:
    """Decide a round too close to call when every close project's price is settled; `None` otherwise.

    Settled (`FastInstance.settled_price`): each supporter holds exactly nothing or clearly more than their
    share, so the rho is exactly cost / the others' total utility, compared as fractions of integers. With cost
    satisfaction that is one over the number of supporters with money left, so equal numbers tie exactly, and
    do so at every raise (Budapest 2022's approval ballots, in forints: a tie in most Add1 runs). Only for a
    sharp run (`_Sharpness`), whose zeros are exact. Every project not in `close` is dearer by more than the
    margin. Returns the winner, then the projects with exactly its rho, in tie-break order, and the rho.
    """
    prices = {}
    for j in close:
        rho = fast.settled_price(j, budgets)
        if rho is None:
            return None
        prices[j] = rho
    best = min(prices.values())
    rank = fast.instance.rank
    return tuple(sorted((j for j, rho in prices.items() if rho == best), key=lambda j: rank[j])), best


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
        start: the voter budget.
        notes: per round (one more than `order`: the last found nothing affordable), a `Note` per project whose
            price is known; a later run at a higher voter budget uses them (any note bounds a price, `Note`).
        vague: per round, the projects whose note was taken after other rounds than this run's so far (passed on
            from a run that funded something else by then): `follow` then checks what it could otherwise assume.
    """

    order: tuple[int, ...]
    ties: tuple[tuple[int, tuple[int, ...], Fraction], ...]
    calm: bool
    top: float
    start: Fraction = Fraction(0)
    notes: tuple[Notes, ...] = ()
    vague: tuple[frozenset[int], ...] = ()


def _pay(fast: FastInstance, j: int, rho: float, budgets: Floats, *, calm: bool) -> bool:
    """Each supporter of `j` pays `min(budget, rho * utility)`; whether the run is still calm (see `FastRun`)."""
    groups = fast.groups[j]
    held = budgets[groups]
    uniform = fast.uniform[j]
    share = _share(fast, j, rho)
    calm = calm and not np.count_nonzero(held < share * _HIGH)
    if uniform:  # max(held - share, 0) is held - min(held, share), in two calls on a scalar share
        np.subtract(held, share, out=held)
        budgets[groups] = np.maximum(held, 0.0, out=held)
    else:
        budgets[groups] = held - np.minimum(held, share)
    return calm


def _share(fast: FastInstance, j: int, rho: float) -> float | Floats:
    """What each supporter of `j` owes at `rho`: one number when all have the same utility."""
    uniform = fast.uniform[j]
    return rho * uniform if uniform else rho * fast.utilities[j]


@dataclass(slots=True)
class _Sharpness:
    """Whether every payment so far was sharp, found by replaying the run's float payments only when asked.

    Sharp: each supporter's share was clearly above or clearly below what they held (by a relative `MARGIN`),
    so those left with 0.0 hold exactly nothing in exact arithmetic too. Asked only at a near tie (rare but in
    runs like Budapest's), so runs without one pay nothing for it. The replay repeats `_pay`'s float operations
    exactly, so its budgets are the run's, bit for bit.
    """

    fast: FastInstance
    start: Fraction
    budgets: Floats | None = None
    done: int = 0
    sharp: bool = True

    def check(self, paid: list[tuple[int, float]]) -> bool:
        """Whether the payments `paid` (project, float rho), in order, were all sharp."""
        if self.budgets is None:
            self.budgets = np.full(len(self.fast.instance.weights), float(self.start), dtype=np.float64)
        for j, rho in paid[self.done :]:
            if not self.sharp:
                break
            held = self.budgets[self.fast.groups[j]]
            share = _share(self.fast, j, rho)
            self.sharp = not np.count_nonzero(np.abs(held - share) <= share * MARGIN)
            _pay(self.fast, j, rho, self.budgets, calm=False)
        self.done = len(paid)
        return self.sharp


def _hint(below: FastRun | None, r: int, last: dict[int, float], *, same: bool) -> Hint:
    """What the run below tells round `r`: a project to price first, its notes then, and if that one's is strict.

    Strict (`tally._mes_price.follow`): taken after this run's rounds so far, at a lower voter budget.

    While this run's rounds are `below`'s, its winner then comes first. Once they differ (a run one unit higher
    mostly swaps two rounds), its winner then does, or the one before when this run has not funded that yet; the
    notes still bound prices, and closely again once the rounds realign.
    """
    if below is None or r >= len(below.notes):
        return None
    if same:
        lead = below.order[r] if r < len(below.order) else None
        return lead, below.notes[r], lead not in _vague(below, r)
    return next((j for j in below.order[max(r - 1, 0) : r + 1][::-1] if j in last), None), below.notes[r], False


def _vague(run: FastRun, r: int) -> frozenset[int]:
    return run.vague[r] if r < len(run.vague) else frozenset()


def _passed_on(below: FastRun | None, r: int, fresh: Notes, *, same: bool) -> tuple[Notes, frozenset[int]]:
    """The notes round `r` keeps for the run above: its own, and what `below` told it; and which are vague."""
    if below is None or r >= len(below.notes):
        return fresh, frozenset()
    told = below.notes[r]
    vague = _vague(below, r) if same else told.keys()
    return {**told, **fresh}, frozenset(vague - fresh.keys()) if vague else frozenset()


def run_fast(fast: FastInstance, start: Fraction) -> tuple[tuple[int, ...], Ties]:
    """The funding order of MES at voter budget `start`, and the exact ties broken on the way."""
    run = run_fast_full(fast, start)
    return run.order, list(run.ties)


def run_fast_full(
    fast: FastInstance, start: Fraction, below: FastRun | None = None, *, keep_notes: bool = False
) -> FastRun:
    """MES at voter budget `start` in floats, exact near ties; see `FastRun`.

    `below`, a run at a voter budget at most `start` that kept its notes (`keep_notes`), speeds up the rounds it
    shares with this one (`Note`): each starts with its winner, and its notes spare pricing the projects clearly
    dearer. It never changes the result.

    Complexity: O(rounds * (log projects + priced supporters)) in numpy, plus exact rounds near ties.
    """
    if below is not None and (below.start > start or len(below.notes) <= len(below.order)):
        below = None  # from a higher budget, or kept no notes
    kept: list[Notes] = []
    vague: list[frozenset[int]] = []
    same = below is not None  # the rounds so far are `below`'s first rounds
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
    sharpness = _Sharpness(fast, start)
    paid: list[tuple[int, float]] = []
    while True:
        r = len(order)
        hint = _hint(below, r, last, same=same)
        notes: Notes | None = {} if keep_notes else None
        try:
            j = _round(fast, last, heap, budgets, notes=notes, hint=hint)
        except NearTie as near:
            settled = _settled_tie(fast, near.close, budgets) if near.close and sharpness.check(paid) else None
            if settled is None:
                tied, exact_rho = exact.round(order, last)
                heap = [(value, fast.instance.rank[k], k) for k, value in last.items()]
                heapq.heapify(heap)
            else:
                tied, exact_rho = settled
            if len(tied) > 1:
                ties.append((len(order), tied, exact_rho))
            j = tied[0] if tied else None
        if notes is not None:
            told, loose = _passed_on(below, r, notes, same=same)
            kept.append(told)
            vague.append(loose)
        if j is None:
            return FastRun(tuple(order), tuple(ties), calm, top, start, tuple(kept), tuple(vague))
        rho = last.pop(j)
        calm = _pay(fast, j, rho, budgets, calm=calm)
        paid.append((j, rho))
        top = max(top, rho)
        same = same and below is not None and r < len(below.order) and below.order[r] == j
        order.append(j)
