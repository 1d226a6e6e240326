"""Fixtures for the record tests: the rule that produces test records, and a simulated election."""

from __future__ import annotations

import pytest

from tally.registry import RULES
from tests.unit.record.simulation import RULE_ID, Simulation, greedy_for_tests, simulate


@pytest.fixture(autouse=True)
def fx_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers the test-only greedy while the real rules are merged separately (a no-op once they are)."""
    if RULE_ID not in RULES:
        monkeypatch.setitem(RULES, RULE_ID, greedy_for_tests)


@pytest.fixture(name="sim")
def fx_sim(fx_rule: None) -> Simulation:
    return simulate()
