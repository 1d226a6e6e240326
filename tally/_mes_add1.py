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
import time
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
"""A voter's starting share, in currency units, from which Add1 may stride over raises (`_Strides`)."""

_LONG_STEPPING = 1_024
"""Raises after which Add1 may stride over raises whatever the currency unit (`_Strides`)."""

_FIRST_ASK = 10
"""Runs' worth of time in plain runs before the first stride is asked for (`_Strides`)."""

_PATIENCE = 4
"""Time in plain runs, per second a stride cost beyond the runs it saved, before the next is asked (`_Strides`)."""

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


def run_add1(solver: Solver, *, always_stride: bool = False) -> tuple[int, MesRun]:
    """Raise the voter budget one unit at a time; the number of raises kept and the exact final run.

    `always_stride`: ask `stable_raises` at every raise, not only where it pays (`_Strides`); the outcome
    never depends on it.

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
    strides = _Strides(0 if always_stride or start >= _SMALL_UNIT else _LONG_STEPPING, always=always_stride)
    run = None
    while True:
        clock = time.perf_counter()
        run = solver.order(start + raises, run)
        strides.ran(time.perf_counter() - clock)
        if sum(instance.costs[j] for j in run.order) > instance.budget:
            break
        kept, kept_run = raises, run
        if set(run.order) == supported:
            break
        step = _calm_raises(solver, run, start + raises, supported - set(run.order))
        if step == 1 and strides.ready(raises):
            clock = time.perf_counter()
            step = stable_raises(solver.fast, run)
            strides.asked(time.perf_counter() - clock, step)
        raises += step
        if raises - 1 > kept:
            kept, kept_run = raises - 1, None  # the raises skipped fund the same projects, all within the budget
    return kept, solver.run(start + kept, kept_run)


@dataclass(slots=True)
class _Strides:
    """When to ask `stable_raises`, which prices every project in every round: only while asking pays.

    An ask costs some 5 to 20 runs' time (2 ms against 0.35 ms a run on Budapest 2022; 8.8 s against 1.1 s on
    the 1M-ballot synthetic election, where Add1 makes 7 raises and never asks). Asks begin at raise `start`:
    at once where a voter's share is at least `_SMALL_UNIT` units (a raise then rarely changes anything),
    else after `_LONG_STEPPING` raises; and only once plain runs have taken `_FIRST_ASK` runs' time. After
    an ask that cost more than the runs it skipped, plain runs must take `_PATIENCE` times the difference
    before the next: asks that do not pay cost at most a quarter more. Time decides only whether to ask,
    never the outcome (every stride is proved, `tally._mes_stable`). `always`: ask at every raise (tests).
    """

    start: int
    always: bool = False
    runs: int = 0
    run_time: float = 0.0
    spent: float = 0.0
    owed: float | None = None  # None: no ask yet

    def ran(self, seconds: float) -> None:
        """Note a plain run's time."""
        self.runs += 1
        self.run_time += seconds
        self.spent += seconds

    def ready(self, raises: int) -> bool:
        """Whether to ask at `raises`."""
        if self.always:
            return True
        owed = _FIRST_ASK * self.run_time / self.runs if self.owed is None else self.owed
        return raises >= self.start and self.spent >= owed

    def asked(self, seconds: float, stride: int) -> None:
        """Note an ask's time and the stride it gave."""
        saved = (stride - 1) * self.run_time / max(self.runs, 1)
        self.owed = _PATIENCE * max(0.0, seconds - saved)
        self.spent = 0.0


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
