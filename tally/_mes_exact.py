"""The exact reference of the Method of Equal Shares, in integers and `Fraction`s.

Definition (Peters, Pierczyński and Skowron, NeurIPS 2021, Section 3; equalshares.net "Computing the outcome"):
every voter starts with the same budget `b`. A project `c` is rho-affordable when its supporters can pay its
cost with each voter `i` paying `min(budget_i, rho * u_i(c))`. Each round funds the project with the least such
rho (ties broken by the tie-break order, recorded when the rhos are exactly equal), each supporter pays that share,
and the rule stops when no project is affordable.

Lazy re-pricing is exact here: budgets only fall, so a project's rho only rises and an unaffordable project never
becomes affordable; the reference still prices every candidate each round, to stay obviously correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from tally._mes_instance import MesInstance

__all__ = ["MesRound", "MesRun", "choose", "pay", "price", "price_reference", "replay_exact", "run_exact"]

Supporters = Sequence[tuple[int, int, int]]
_CLOSE = 1e-9
"""Relative gap below which two floats are not trusted to order two exact values."""


@dataclass(frozen=True, slots=True)
class MesRound:
    """One funded project and who paid for it.

    Attributes:
        project: the project index.
        rho: the price per unit of utility: each supporter paid `min(budget, rho * utility)`.
        payers: voters who paid a positive amount.
        exhausted: payers who paid their whole remaining budget.
        paid: the total paid (the project's cost).
    """

    project: int
    rho: Fraction
    payers: int
    exhausted: int
    paid: Fraction


@dataclass(frozen=True, slots=True)
class MesRun:
    """A run of MES at one voter budget.

    Attributes:
        start: the voter budget the run started from.
        rounds: the funded projects in order.
        ties: `(round, candidates in tie-break order, rho)` for each exact tie broken.
    """

    start: Fraction
    rounds: tuple[MesRound, ...]
    ties: tuple[tuple[int, tuple[int, ...], Fraction], ...] = ()

    @property
    def order(self) -> tuple[int, ...]:
        """The funded project indices in order."""
        return tuple(r.project for r in self.rounds)


def _distinct(supporters: Supporters, budgets: Sequence[Fraction]) -> list[list[object]]:
    """Supporters with the same budget object and utility, merged as `[budget, utility, voters]`.

    Voters with the same history hold the very same `Fraction` object (see `_pay`), so a real election's
    thousands of ballots collapse to a few hundred distinct shares and the `Fraction` work shrinks accordingly.
    """
    merged: dict[tuple[int, int], list[object]] = {}
    for g, w, u in supporters:
        b = budgets[g]
        entry = merged.get((id(b), u))
        if entry is None:
            merged[id(b), u] = [b, u, w]
        else:
            entry[2] = cast("int", entry[2]) + w
    return list(merged.values())


def price(cost: int, supporters: Supporters, budgets: Sequence[Fraction]) -> Fraction | None:
    """The least rho at which the supporters can pay `cost`, or `None` when they cannot.

    Supporters whose budget is below their share `rho * u` pay all they have; the rest share what is left in
    proportion to utility. Checking them from the poorest (per unit of utility) up finds rho in one pass.
    Floats only order the work: money far from the cost is compared in floats, and shares are visited in float
    order, with every share whose float ratio is too close to call checked exactly.

    >>> price(30, [(0, 1, 30), (1, 1, 30), (2, 1, 30)], [Fraction(5), Fraction(20), Fraction(20)])
    Fraction(5, 12)
    """
    shares = [(cast("Fraction", b), cast("int", u), cast("int", w)) for b, u, w in _distinct(supporters, budgets)]
    ratios = [float(b) / u for b, u, _ in shares]
    money = sum(w * float(b) for b, _, w in shares)
    if money < cost * (1 - _CLOSE) or (money <= cost * (1 + _CLOSE) and sum(w * b for b, _, w in shares) < cost):
        return None
    order = sorted(range(len(shares)), key=ratios.__getitem__)
    remaining = Fraction(cost)
    total = sum(w * u for _, u, w in shares)
    for position, k in enumerate(order):
        b, u, w = shares[k]
        if b * total < remaining * u:  # below the share `remaining / total * u`: pays everything
            remaining -= w * b
            total -= w * u
            continue
        close = (i for i in order[position + 1 :] if ratios[i] <= ratios[k] * (1 + _CLOSE))
        if any(shares[i][0] * total < remaining * shares[i][1] for i in close):
            return _price_sorted(cost, shares)  # floats misordered two near-equal shares
        return remaining / total
    return _price_sorted(cost, shares)


def price_reference(cost: int, supporters: Supporters, budgets: Sequence[Fraction]) -> Fraction | None:
    """`price` without float hints or merged shares: the definition, step by step (for the reference run).

    >>> price_reference(30, [(0, 1, 30), (1, 1, 30), (2, 1, 30)], [Fraction(5), Fraction(20), Fraction(20)])
    Fraction(5, 12)
    """
    if sum(w * budgets[g] for g, w, _ in supporters) < cost:
        return None
    return _price_sorted(cost, [(budgets[g], u, w) for g, w, u in supporters])


def _price_sorted(cost: int, shares: Sequence[tuple[Fraction, int, int]]) -> Fraction:
    remaining = Fraction(cost)
    total = sum(w * u for _, u, w in shares)
    for b, u, w in sorted(shares, key=lambda s: s[0] / s[1]):
        if b * total < remaining * u:
            remaining -= w * b
            total -= w * u
        else:
            break
    return remaining / total


@dataclass(slots=True)
class _Paid:
    amount: Fraction
    left: Fraction
    utility: int
    voters: int = 0


def _pay(project: int, rho: Fraction, supporters: Supporters, budgets: list[Fraction]) -> MesRound:
    """Each supporter pays `min(budget, rho * u)`; identical shares are computed once and share the result."""
    zero = Fraction(0)
    caps: dict[int, tuple[Fraction, float]] = {}
    after: dict[tuple[int, int], _Paid] = {}  # per distinct share: payment, new budget object, voters
    for g, w, u in supporters:
        b = budgets[g]
        entry = after.get((id(b), u))
        if entry is None:
            cap, approx = caps.get(u) or caps.setdefault(u, (rho * u, float(rho * u)))
            held = float(b)
            drained = held < approx * (1 - _CLOSE) or (held <= approx * (1 + _CLOSE) and b <= cap)
            entry = after[id(b), u] = _Paid(b, zero, u) if drained else _Paid(cap, b - cap, u)
        budgets[g] = entry.left
        entry.voters += w
    payers = exhausted = capped = 0
    drained_total = Fraction(0)
    for entry in after.values():
        if not entry.amount:
            continue
        payers += entry.voters
        if entry.left:
            capped += entry.voters * entry.utility
        else:
            exhausted += entry.voters
            drained_total += entry.voters * entry.amount
    return MesRound(project, rho, payers, exhausted, drained_total + rho * capped)


def _pay_reference(project: int, rho: Fraction, supporters: Supporters, budgets: list[Fraction]) -> MesRound:
    """`_pay` group by group, without float hints (for the reference run)."""
    payers = exhausted = 0
    paid = Fraction(0)
    for g, w, u in supporters:
        amount = min(budgets[g], rho * u)
        if amount > 0:
            payers += w
            exhausted += w if amount == budgets[g] else 0
            paid += w * amount
            budgets[g] -= amount
    return MesRound(project, rho, payers, exhausted, paid)


def choose(
    instance: MesInstance, budgets: Sequence[Fraction], candidates: Iterable[int], *, reference: bool = False
) -> tuple[dict[int, Fraction], tuple[int, ...]]:
    """Price every candidate exactly: the affordable ones' rhos, and those with the least rho in tie-break order.

    With `reference`, prices come from `price_reference` (the definition step by step) instead of `price`.
    """
    pricer = price_reference if reference else price
    prices: dict[int, Fraction] = {}
    for j in candidates:
        rho = pricer(instance.costs[j], instance.supporters[j], budgets)
        if rho is not None:
            prices[j] = rho
    if not prices:
        return prices, ()
    best = min(prices.values())
    return prices, tuple(sorted((j for j, rho in prices.items() if rho == best), key=lambda j: instance.rank[j]))


def pay(instance: MesInstance, project: int, rho: Fraction, budgets: list[Fraction]) -> MesRound:
    """Charge the supporters of `project` at price `rho`, updating `budgets`."""
    return _pay(project, rho, instance.supporters[project], budgets)


def run_exact(instance: MesInstance, start: Fraction) -> MesRun:
    """Run MES with every voter starting at `start`, pricing every candidate each round.

    Complexity: O(rounds * projects * supporters * log) Fraction operations at worst.
    """
    budgets = [start] * len(instance.weights)
    candidates = {j for j in range(instance.projects) if instance.supporters[j]}
    rounds: list[MesRound] = []
    ties: list[tuple[int, tuple[int, ...], Fraction]] = []
    while True:
        prices, tied = choose(instance, budgets, sorted(candidates), reference=True)
        if not tied:
            return MesRun(start, tuple(rounds), tuple(ties))
        if len(tied) > 1:
            ties.append((len(rounds), tied, prices[tied[0]]))
        rounds.append(_pay_reference(tied[0], prices[tied[0]], instance.supporters[tied[0]], budgets))
        candidates.remove(tied[0])


def replay_exact(instance: MesInstance, start: Fraction, order: Sequence[int]) -> MesRun:
    """The rounds of a run whose funding order is known, in exact arithmetic (for the published details).

    Raises:
        RuntimeError: when a project in `order` is not affordable (the order did not come from MES).
    """
    budgets = [start] * len(instance.weights)
    rounds: list[MesRound] = []
    for j in order:
        rho = price(instance.costs[j], instance.supporters[j], budgets)
        if rho is None:
            msg = f"project index {j} is not affordable in round {len(rounds)}"
            raise RuntimeError(msg)
        rounds.append(pay(instance, j, rho, budgets))
    return MesRun(start, tuple(rounds))
