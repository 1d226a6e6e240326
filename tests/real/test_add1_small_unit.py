"""Add1 in a currency with a small unit: Budapest 2022 (forints), where stepping one unit at a time is hopeless.

A voter starts with 235,769 forints and Add1 keeps 149,158 raises, over which the funding order changes 16 times.
Stepping alone (`benchmarks/bench_mes.py --add1-orders` on this file: no skipping, one run per raise, about a
minute, run with the code before strides existed) gives exactly that: 149,158 raises kept, funding the 24 projects
below, and the 149,159th raise overspends. Add1 strides over raises (`tally._mes_stable`); these
tests check the strides against fresh runs, and the end against single raises.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from pbvote.pabulib import read_pb
from tally._mes_fast import FastInstance, run_fast, run_fast_full
from tally._mes_stable import stable_raises
from tally.mes import mes, mes_instance
from tally.options import Completion, RuleOptions, Satisfaction
from tests.real.test_unseen_outcomes import UNSEEN

BUDAPEST = UNSEEN / "Hungary_Budapest_2022_VIII_Jozsefvaros.pb"

# Printed by `benchmarks/bench_mes.py --add1-orders` on this file: stepping one forint at a time, 149,160 runs.
STEPPED = [
    "642",
    "723",
    "696",
    "633",
    "675",
    "699",
    "666",
    "705",
    "687",
    "663",
    "648",
    "654",
    "639",
    "729",
    "678",
    "684",
    "651",
    "702",
    "645",
    "711",
    "660",
    "690",
    "726",
    "657",
]


# The same under cardinality satisfaction (`--satisfaction cardinality`): 275,672 raises kept of 275,674 runs,
# stepped with the fast path alone (no strides; the code before strides did not finish in 15 minutes).
STEPPED_CARDINALITY = [
    "684",
    "702",
    "642",
    "648",
    "723",
    "696",
    "699",
    "726",
    "711",
    "687",
    "660",
    "633",
    "705",
    "639",
    "675",
    "663",
    "645",
    "666",
    "654",
    "657",
    "678",
    "729",
    "651",
    "690",
    "681",
    "693",
]


@pytest.fixture(scope="module")
def budapest():
    pb = read_pb(str(BUDAPEST))
    compiled, instance = mes_instance(pb.election, pb.ballots, RuleOptions(satisfaction=Satisfaction.COST))
    return pb, compiled, FastInstance.of(instance)


def test_add1_keeps_the_raises_stepping_keeps(budapest):
    pb, _, _ = budapest
    allocation = mes(pb.election, pb.ballots, RuleOptions(completion=Completion.ADD1))
    assert allocation.details["add1_increments"] == 149_158
    assert list(allocation.selected) == STEPPED
    assert allocation.total_cost <= pb.election.budget


def test_add1_under_cardinality_keeps_the_raises_stepping_keeps(budapest):
    pb, _, _ = budapest
    options = RuleOptions(completion=Completion.ADD1, satisfaction=Satisfaction.CARDINALITY)
    allocation = mes(pb.election, pb.ballots, options)
    assert allocation.details["add1_increments"] == 275_672
    assert list(allocation.selected) == STEPPED_CARDINALITY


def test_the_raise_kept_is_the_last_within_the_budget(budapest):
    _, compiled, fast = budapest
    instance = fast.instance
    start = Fraction(instance.budget, instance.voters)
    names = compiled.project_ids
    kept = run_fast(fast, start + 149_158)[0]
    assert [names[j] for j in kept] == STEPPED
    over = run_fast(fast, start + 149_159)[0]
    assert sum(instance.costs[j] for j in over) > instance.budget


def test_each_stride_keeps_the_order_to_its_end(budapest):
    # Thirty strides from the start, each checked by fresh runs (no hints) at its last claimed raise and midway.
    _, _, fast = budapest
    start = Fraction(fast.instance.budget, fast.instance.voters)
    raises, long = 0, 0
    for _ in range(30):
        order, _ = run_fast(fast, start + raises)
        stride = stable_raises(fast, run_fast_full(fast, start + raises))
        for t in {stride // 2, stride - 1} - {0}:
            assert run_fast(fast, start + raises + t)[0] == order, (raises, t)
        long += stride > 10
        raises += stride
    assert long >= 20  # strides are long here, which is what makes Add1 finish
