"""A note taken at some budgets bounds a project's price at any others; `follow` finds the price `price` finds."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import assume, given, reject
from hypothesis import strategies as st

from tally._mes_exact import price_reference
from tally._mes_instance import MesInstance
from tally._mes_price import FastInstance, NearTie, Notes, bound, follow, price

REL = 1e-9  # floats against the exact price: far looser than their error, far tighter than any real slack


@st.composite
def one_project(draw):
    """One project, its supporters (cost or point utilities), and two budget vectors: then, and now."""
    groups = draw(st.integers(1, 10))
    weights = tuple(draw(st.integers(1, 4)) for _ in range(groups))
    cost = draw(st.integers(10, 3000))
    points = draw(st.booleans())
    rows = tuple((g, weights[g], cost * (draw(st.integers(1, 3)) if points else 1)) for g in range(groups))
    instance = MesInstance((cost,), (rows,), weights, sum(weights), cost, (0,))
    then = [draw(st.integers(0, 400)) for _ in range(groups)]
    rising = draw(st.booleans())  # now >= then everywhere (same rounds, higher voter budget), or near it either way
    now = [max(b + draw(st.integers(0 if rising else -30, 30)), 0) for b in then]
    return instance, then, now, rising


def exact_price(instance, budgets):
    return price_reference(instance.costs[0], instance.supporters[0], [Fraction(b) for b in budgets])


def noted(fast, budgets) -> Notes:
    notes: Notes = {}
    try:
        price(fast, 0, np.array(budgets, dtype=np.float64), 0.0, notes)
    except NearTie:
        reject()
    return notes


@given(one_project())
def test_a_bound_never_exceeds_the_price_at_any_budgets(case):
    instance, then, now, _ = case
    fast = FastInstance.of(instance)
    notes = noted(fast, then)
    assume(0 in notes)
    exact = exact_price(instance, now)
    low = bound(fast, 0, np.array(now, dtype=np.float64), notes[0])
    if low is None:  # clearly unaffordable now
        assert exact is None
    elif exact is not None:
        assert low <= float(exact) * (1 + REL)


@given(one_project(), st.floats(0.0, 1.0))
def test_follow_finds_the_price_from_any_note(case, fraction):
    # `strict` when every budget rose (a later run after the same rounds): what `follow` then assumes holds.
    instance, then, now, rising = case
    fast = FastInstance.of(instance)
    notes = noted(fast, then)
    assume(0 in notes and math.isfinite(notes[0][0]))
    exact = exact_price(instance, now)
    floor = float(exact) * fraction if exact is not None else 0.0  # any lower bound on the price now
    kept: Notes = {}
    try:
        found = follow(fast, 0, np.array(now, dtype=np.float64), notes[0], floor=floor, notes=kept, strict=rising)
    except NearTie:
        return  # too close to call in floats: the caller decides exactly
    if exact is None:
        assert found is None
        return
    assert found is not None
    assert math.isclose(found, float(exact), rel_tol=REL)
    assert math.isclose(kept[0][0], float(exact), rel_tol=REL)  # and notes it, as `price` would
