"""The Add1 completion of MES, as Wieliczka, Assen and Świecie ran it.

Every voter starts with exactly `budget / voters`; the voter budget is raised by one currency unit at a time and
MES is rerun, for as long as the MES outcome still costs at most the real budget. The last outcome that does is
kept (RULES-NOTES.md: stopping instead at the first outcome to which nothing can be added, as pabutools'
`voter_budget_increment` and equalshares.net's default do, funds different projects on real data). Raising stops
too once every supported project is funded, since no further raise can change the outcome.

The starting budget is exact (pabutools does the same); the equalshares.net tool rounds it down to a whole
currency unit by default. The published details are those of the run kept. The stepwise search is what the
cities ran; ADD-OPT (Kraiczy, Robinson and Elkind 2025) computes the outcome-changing raise directly, but for
Exact Equal Shares, a different rule (its repository robinsonaisaac/Scalable_Proportional_PB: "ADD-OPT and
ADD-OPT-SKIP are EES-specific"; MES gets only add-one there too), so it is not used here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from tally._mes_exact import MesRun
from tally._mes_fast import FastInstance, run_fast
from tally._mes_instance import MesInstance
from tally._mes_replay import replay

__all__ = ["Solver", "run_add1"]


@dataclass(frozen=True, slots=True)
class Solver:
    """Runs MES at any voter budget: the fast path decides, exact arithmetic publishes."""

    instance: MesInstance
    fast: FastInstance

    @classmethod
    def of(cls, instance: MesInstance) -> Solver:
        """Prepare the fast path's arrays once."""
        return cls(instance, FastInstance.of(instance))

    def order(self, start: Fraction) -> tuple[int, ...]:
        """The funding order at voter budget `start`."""
        return run_fast(self.fast, start)[0]

    def run(self, start: Fraction) -> MesRun:
        """The exact run at voter budget `start` (the published details)."""
        order, ties = run_fast(self.fast, start)
        return replace(replay(self.fast, start, order), ties=tuple(ties))


def run_add1(solver: Solver) -> tuple[int, MesRun]:
    """Raise the voter budget one unit at a time; the number of raises kept and the exact final run.

    Complexity: one MES run per raise; the number of raises is at most about the largest project cost.
    """
    instance = solver.instance
    start = Fraction(instance.budget, max(instance.voters, 1))
    supported = {j for j in range(instance.projects) if instance.supporters[j]}
    kept = 0
    raises = 0
    while True:
        order = solver.order(start + raises)
        if sum(instance.costs[j] for j in order) > instance.budget:
            break
        kept = raises
        if set(order) == supported:
            break
        raises += 1
    return kept, solver.run(start + kept)
