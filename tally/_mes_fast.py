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
begin with the same rounds). While the rounds so far are that run's, each round prices that run's winner first
and bounds every other project's price from that run's `Note` (two numpy calls), pricing only the projects the
bound cannot put clearly above the best. The choice is the same either way: only provable lower bounds change.
"""

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from tally._mes_exact import choose, pay, price
from tally._mes_price import MARGIN, FastInstance, Floats, NearTie, Note, Notes, bound, confirm
from tally._mes_price import price as float_price

__all__ = ["MARGIN", "FastInstance", "FastRun", "run_fast", "run_fast_full"]

Ties = list[tuple[int, tuple[int, ...], Fraction]]
Hint = tuple[int | None, Notes] | None


Heap = list[tuple[float, int, int]]


@dataclass(slots=True)
class _Round:
    """One round's choice in progress: the lazy prices, the best price so far, and the prices found this round.

    `heap` holds `(last rho, rank, project)`; entries whose rho is no longer the project's last are stale.
    """

    fast: FastInstance
    last: dict[int, float]
    heap: Heap
    budgets: Floats
    notes: Notes | None
    best: float = np.inf
    best_j: int = -1
    priced: list[tuple[float, int]] = field(default_factory=list)

    def price(self, j: int, floor: float) -> None:
        """Price `j` from a lower bound `floor`, noting the price, or drop it when unaffordable."""
        rho = float_price(self.fast, j, self.budgets, floor, self.notes)
        if rho is None:
            del self.last[j]
            return
        self.last[j] = rho
        self.priced.append((rho, j))
        if rho < self.best:
            self.best, self.best_j = rho, j

    def lead(self, j: int, note: Note | None) -> None:
        """Price the winner of the run below first: confirmed from its note when the same supporters run out."""
        confirmed = confirm(self.fast, j, self.budgets, note) if note else 0.0
        if not isinstance(confirmed, tuple):  # a lower bound: price from near the price, usually in one pass
            self.price(j, max(self.last[j], confirmed * (1 - MARGIN)))
            return
        rho, self.last[j] = confirmed[0], confirmed[0]
        if self.notes is not None:
            self.notes[j] = confirmed
        self.priced.append((rho, j))
        if rho < self.best:
            self.best, self.best_j = rho, j

    def settle(self, j: int, floor: float, note: Note) -> float | None:
        """Settle `j` by a note from a run at a lower budget; `None` when settled, else a floor to price it from.

        Settled: unaffordable now, or bounded too far above the best to tie (its bound becomes its last price).
        """
        low = bound(self.fast, j, self.budgets, note)
        if low is None:
            del self.last[j]
            return None
        if low > self.best * (1 + MARGIN) ** 2:
            self.last[j] = low / (1 + MARGIN)
            heapq.heappush(self.heap, (self.last[j], self.fast.instance.rank[j], j))
            return None
        return max(floor, low * (1 - MARGIN))

    def winner(self) -> int | None:
        """The cheapest project priced, `None` when none is affordable; raises `NearTie` when too close to call."""
        if self.best_j < 0:
            return None
        if any(j != self.best_j and rho <= self.best * (1 + MARGIN) for rho, j in self.priced):
            raise NearTie
        return self.best_j


def _round(
    fast: FastInstance, last: dict[int, float], heap: Heap, budgets: Floats, *, notes: Notes | None, hint: Hint = None
) -> int | None:
    """Choose the next project, updating the lazy prices in `last`; `None` when nothing is affordable.

    Prices found are noted in `notes` when given. `hint` is what a run at a lower voter budget with the same rounds
    so far left for this round: its winner, priced first (`tally._mes_price.confirm`), and its notes, which bound
    the other projects' prices (`tally._mes_price.bound`) so that only those the bound cannot separate from the best
    are priced.
    """
    state = _Round(fast, last, heap, budgets, notes)
    lead, known = hint or (None, {})
    try:
        if lead is not None and lead in last:
            state.lead(lead, known.get(lead))
        while heap:
            value, _, j = heap[0]
            if last.get(j) != value:
                heapq.heappop(heap)
                continue
            if value > state.best * (1 + MARGIN):
                break  # every other project's rho is at least its last one, too far above the best to tie
            heapq.heappop(heap)
            if j == lead:
                continue  # priced above (else no longer in `last`), pushed again below
            floor: float | None = value
            if j in known:
                floor = state.settle(j, value, known[j])
            if floor is not None:
                state.price(j, floor)
    finally:
        for rho, j in state.priced:
            heapq.heappush(heap, (rho, fast.instance.rank[j], j))
    return state.winner()


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
            price is known; a run at a higher voter budget funding the same projects so far uses them.
    """

    order: tuple[int, ...]
    ties: tuple[tuple[int, tuple[int, ...], Fraction], ...]
    calm: bool
    top: float
    start: Fraction = Fraction(0)
    notes: tuple[Notes, ...] = ()


def _pay(fast: FastInstance, j: int, rho: float, budgets: Floats, *, calm: bool) -> bool:
    """Each supporter of `j` pays `min(budget, rho * utility)`; whether the run is still calm (see `FastRun`)."""
    groups = fast.groups[j]
    held = budgets[groups]
    uniform = fast.uniform[j]
    share = rho * uniform if uniform else rho * fast.utilities[j]
    calm = calm and not np.count_nonzero(held < share * (1 + MARGIN))
    if uniform:  # max(held - share, 0) is held - min(held, share), in two calls on a scalar share
        np.subtract(held, share, out=held)
        budgets[groups] = np.maximum(held, 0.0, out=held)
    else:
        budgets[groups] = held - np.minimum(held, share)
    return calm


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
    while True:
        r = len(order)
        hint = None
        if below is not None and same:
            hint = (below.order[r] if r < len(below.order) else None, below.notes[r])
        notes: Notes | None = {} if keep_notes else None
        try:
            j = _round(fast, last, heap, budgets, notes=notes, hint=hint)
        except NearTie:
            tied, exact_rho = exact.round(order, last)
            heap = [(value, fast.instance.rank[k], k) for k, value in last.items()]
            heapq.heapify(heap)
            if len(tied) > 1:
                ties.append((len(order), tied, exact_rho))
            j = tied[0] if tied else None
        if notes is not None:
            kept.append({**hint[1], **notes} if hint else notes)
        if j is None:
            return FastRun(tuple(order), tuple(ties), calm, top, start, tuple(kept))
        rho = last.pop(j)
        calm = _pay(fast, j, rho, budgets, calm=calm)
        top = max(top, rho)
        same = same and below is not None and r < len(below.order) and below.order[r] == j
        order.append(j)
