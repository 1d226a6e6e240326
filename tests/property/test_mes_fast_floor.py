"""The fast path's water-filling may start from any lower bound on the price and still find the same price."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from tally._mes_instance import MesInstance
from tally._mes_price import FastInstance
from tally._mes_price import cap as _cap


@given(
    st.lists(st.tuples(st.integers(0, 100), st.integers(1, 3)), min_size=1, max_size=12),
    st.integers(1, 600),
    st.floats(0.0, 1.0, exclude_max=True),
)
def test_cap_from_a_lower_bound_equals_cap_from_zero(supporters, cost, fraction):
    # One project, each group with whole-unit budgets and a weight; the price from the floor 0 is the
    # reference, and any floor below it (fraction * price) must give it again.
    instance = MesInstance(
        (cost,),
        (tuple((g, w, 1) for g, (_, w) in enumerate(supporters)),),
        tuple(w for _, w in supporters),
        sum(w for _, w in supporters),
        cost,
        (0,),
    )
    fast = FastInstance.of(instance)
    budgets = np.array([float(b) for b, _ in supporters])
    money = sum(b * w for b, w in supporters)
    assume(abs(money - cost) > 1e-6 * cost)  # money equal to the cost is a near tie, settled exactly elsewhere
    reference = _cap(fast, 0, budgets)
    if reference is None:
        assert money < cost
        return
    # Hand check of the definition: the supporters pay min(budget, cap) each, and that covers the cost.
    assert math.isclose(sum(w * min(b, reference) for b, w in supporters), cost, rel_tol=1e-12)
    assert math.isclose(_cap(fast, 0, budgets, reference * fraction), reference, rel_tol=1e-12)
