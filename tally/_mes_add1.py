"""The Add1 completion of MES, as Wieliczka, Assen and Świecie ran it.

Every voter starts with exactly `budget / voters`; the voter budget is raised by one currency unit at a time and
MES is rerun, for as long as the MES outcome still costs at most the real budget. The last outcome that does is
kept (RULES-NOTES.md: stopping instead at the first outcome to which nothing can be added, as pabutools'
`voter_budget_increment` and equalshares.net's default do, funds different projects on real data). Raising stops
too once every supported project is funded, since no further raise can change the outcome.

The starting budget is exact (pabutools does the same); the equalshares.net tool rounds it down to a whole
currency unit by default. The published details are those of the run kept.

The outcome is what stepping one unit at a time gives, but the steps are not all run: a calm run (nobody runs
out) says when its outcome can next change (`_calm_raises`), and any run can say how many raises keep its
rounds (`tally._mes_stable.stable_raises`, which prices every project in every round, so it is asked only where
stepping is long: a currency with a small unit, as the forint, or a long run of raises). ADD-OPT (Kraiczy,
Robinson and Elkind 2025) computes the outcome-changing raise directly, but for Exact Equal Shares, a different
rule (its repository robinsonaisaac/Scalable_Proportional_PB: "ADD-OPT and ADD-OPT-SKIP are EES-specific"; MES
gets only add-one there too); `stable_raises` is this module's own argument, for MES.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from tally._mes_exact import MesRun
from tally._mes_fast import MARGIN, FastInstance, FastRun, run_fast_full
from tally._mes_instance import MesInstance
from tally._mes_replay import replay
from tally._mes_stable import stable_raises

__all__ = ["Solver", "run_add1"]


_SMALL_UNIT = 10_000
"""A voter's starting share, in currency units, from which Add1 strides over raises (`_Strides`)."""

_LONG_STEPPING = 1_024
"""Raises after which Add1 strides over raises whatever the currency unit (`_Strides`)."""

_MOST_WAIT = 256
"""The most raises Add1 steps between two strides of one (`_Strides`)."""

_HINTED_SUPPORTERS = 10_000
"""Above this mean number of supporter groups per project, a raise's run is not given the run below.

A `Note`'s bound spares a price's dozen numpy calls but still gathers all of the project's supporters; on large
arrays the gather is most of a price's cost, so bounds save little and hints only add work (the 1M-ballot
synthetic election has about 25,000 groups a project, the real files here at most 2,800)."""


@dataclass(frozen=True, slots=True)
class Solver:
    """Runs MES at any voter budget: the fast path decides, exact arithmetic publishes."""

    instance: MesInstance
    fast: FastInstance
    hinted: bool = True

    @classmethod
    def of(cls, instance: MesInstance) -> Solver:
        """Prepare the fast path's arrays once."""
        fast = FastInstance.of(instance)
        sizes = [g.size for g in fast.groups if g.size]
        return cls(instance, fast, sum(sizes) <= _HINTED_SUPPORTERS * max(len(sizes), 1))

    def order(self, start: Fraction, below: FastRun | None = None) -> FastRun:
        """The fast run at voter budget `start`, sped up by a run `below` at a lower one (`run_fast_full`)."""
        return run_fast_full(self.fast, start, below if self.hinted else None, keep_notes=self.hinted)

    def run(self, start: Fraction, fast: FastRun | None = None) -> MesRun:
        """The exact run at voter budget `start` (the published details), from its fast run when known."""
        fast = fast or run_fast_full(self.fast, start)
        return replace(replay(self.fast, start, fast.order), ties=fast.ties)


def run_add1(solver: Solver, *, stride_from: int | None = None) -> tuple[int, MesRun]:
    """Raise the voter budget one unit at a time; the number of raises kept and the exact final run.

    `stride_from`: the raise from which `stable_raises` is asked (default: at once where a voter's share is at
    least `_SMALL_UNIT` units, else after `_LONG_STEPPING` raises); the outcome never depends on it.

    Complexity: one MES run per raise, except over calm stretches (see `_calm_raises`) and strides (see
    `_Strides`), each crossed in one step; the number of raises is at most about the largest project cost.
    Each run is given the one before (`run_fast_full`'s `below`, see `_HINTED_SUPPORTERS`), whose notes spare
    pricing most projects in every round. Skipping raises pays only where the outcome rarely moves: on
    Warszawa-Mokotow under cost satisfaction 160 of 360 raises change the funding order (two rounds swap
    mid-run; `benchmarks/bench_mes.py --add1-orders`); on Budapest 2022, in forints, 16 of 149,158 do.
    """
    instance = solver.instance
    start = Fraction(instance.budget, max(instance.voters, 1))
    supported = {j for j in range(instance.projects) if solver.fast.groups[j].size}
    kept, kept_run = 0, None
    raises = 0
    if stride_from is None:
        stride_from = 0 if start >= _SMALL_UNIT else _LONG_STEPPING
    strides = _Strides(stride_from)
    run = None
    while True:
        run = solver.order(start + raises, run)
        if sum(instance.costs[j] for j in run.order) > instance.budget:
            break
        kept, kept_run = raises, run
        if set(run.order) == supported:
            break
        step = _calm_raises(solver, run, start + raises, supported - set(run.order))
        if step == 1 and raises >= strides.next:
            step = stable_raises(solver.fast, run)
            strides.tried(raises, found=step > 1)
        raises += step
        if raises - 1 > kept:
            kept, kept_run = raises - 1, None  # the raises skipped fund the same projects, all within the budget
    return kept, solver.run(start + kept, kept_run)


@dataclass(slots=True)
class _Strides:
    """When to ask `stable_raises`, which prices every project every round (dozens of runs' work).

    It pays where the currency unit is small next to a voter's share (`_SMALL_UNIT`: a raise then rarely
    changes anything) or once stepping has gone on long (`_LONG_STEPPING`); after a stride of one it waits,
    twice as long each time, up to `_MOST_WAIT` raises.
    """

    next: int
    wait: int = 1

    def tried(self, raises: int, *, found: bool) -> None:
        """Note the result of asking at `raises`."""
        self.wait = 1 if found else min(self.wait * 2, _MOST_WAIT)
        self.next = raises + self.wait


def _calm_raises(solver: Solver, run: FastRun, start: Fraction, unfunded: set[int]) -> int:
    """How many raises leave a calm run's outcome unchanged, plus one (1 when nothing can be said).

    In a calm run every payment is `rho * u` with rho = cost / total utility, independent of the voter budget,
    so a higher budget replays the same rounds and each voter ends with exactly the raise more. If every unfunded
    project's rho is above every funded one's even before anyone runs out (cost / total utility, a lower
    bound), none can come earlier, and the outcome first changes when one becomes affordable at the end:
    when its supporters' money at the end, which grows by their number per raise, reaches its cost.
    """
    instance = solver.instance
    if not run.calm:
        return 1
    if any(instance.costs[j] / solver.fast.totals[j] <= run.top * (1 + MARGIN) ** 2 for j in unfunded):
        return 1
    arrays = instance.supporter_arrays()
    steps = []
    for j in unfunded:
        groups, weights = arrays[j][:, 0], arrays[j][:, 1]
        money = int(weights.sum()) * start
        for s in run.order:
            _, mine, theirs = np.intersect1d(groups, arrays[s][:, 0], assume_unique=True, return_indices=True)
            paid = int(np.dot(weights[mine], arrays[s][theirs, 2]))
            money -= Fraction(instance.costs[s] * paid, int(np.dot(arrays[s][:, 1], arrays[s][:, 2])))
        steps.append(math.ceil((instance.costs[j] - money) / int(weights.sum())))
    return max(1, min(steps))
