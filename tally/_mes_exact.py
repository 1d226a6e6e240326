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

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from tally._mes_instance import MesInstance

__all__ = ["MesRound", "MesRun", "price", "replay_exact", "run_exact"]

Supporters = Sequence[tuple[int, int, int]]


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


def price(cost: int, supporters: Supporters, budgets: Sequence[Fraction]) -> Fraction | None:
    """The least rho at which the supporters can pay `cost`, or `None` when they cannot.

    Supporters whose budget is below their share `rho * u` pay all they have; the rest share what is left in
    proportion to utility. Checking them from the poorest (per unit of utility) up finds rho in one pass.

    >>> price(30, [(0, 1, 30), (1, 1, 30), (2, 1, 30)], [Fraction(5), Fraction(20), Fraction(20)])
    Fraction(5, 12)
    """
    if sum(w * budgets[g] for g, w, _ in supporters) < cost:
        return None
    remaining = Fraction(cost)
    total = sum(w * u for _, w, u in supporters)
    for g, w, u in sorted(supporters, key=lambda s: budgets[s[0]] / s[2]):
        if budgets[g] * total < remaining * u:  # below the share `remaining / total * u`: pays everything
            remaining -= w * budgets[g]
            total -= w * u
        else:
            break
    return remaining / total


def _pay(project: int, rho: Fraction, supporters: Supporters, budgets: list[Fraction]) -> MesRound:
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


def run_exact(instance: MesInstance, start: Fraction, *, funded: Sequence[int] = ()) -> MesRun:
    """Run MES with every voter starting at `start`, pricing every candidate each round.

    Args:
        instance: the election.
        start: each voter's starting budget.
        funded: projects already funded, never candidates.

    Complexity: O(rounds * sum of supporters * log) Fraction operations.
    """
    budgets = [start] * len(instance.weights)
    done = set(funded)
    rounds: list[MesRound] = []
    ties: list[tuple[int, tuple[int, ...], Fraction]] = []
    while True:
        best: Fraction | None = None
        tied: list[int] = []
        for j in range(instance.projects):
            if j in done or not instance.supporters[j]:
                continue
            rho = price(instance.costs[j], instance.supporters[j], budgets)
            if rho is None or (best is not None and rho > best):
                continue
            if best is None or rho < best:
                best, tied = rho, [j]
            else:
                tied.append(j)
        if best is None:
            return MesRun(start, tuple(rounds), tuple(ties))
        tied.sort(key=lambda j: instance.rank[j])
        if len(tied) > 1:
            ties.append((len(rounds), tuple(tied), best))
        rounds.append(_pay(tied[0], best, instance.supporters[tied[0]], budgets))
        done.add(tied[0])


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
        rounds.append(_pay(j, rho, instance.supporters[j], budgets))
    return MesRun(start, tuple(rounds))
