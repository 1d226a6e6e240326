"""The registry of allocation rules, by kebab-case id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pbvote.ballot import Profile
from pbvote.election import Election
from pbvote.errors import UnknownRule
from tally.allocation import Allocation
from tally.greedy import greedy, greedy_no_skip, greedy_per_cost, greedy_threshold
from tally.knapsack import max_welfare
from tally.options import RuleOptions
from tally.phragmen import phragmen

__all__ = ["RULES", "AllocationRule", "allocate"]


class AllocationRule(Protocol):
    """A rule: a pure function of the election, the ballots and the options."""

    def __call__(self, election: Election, profile: Profile, options: RuleOptions, /) -> Allocation:
        """Allocate the budget."""
        ...


RULES: Mapping[str, AllocationRule] = {
    "greedy": greedy,
    "greedy-no-skip": greedy_no_skip,
    "greedy-per-cost": greedy_per_cost,
    "greedy-threshold": greedy_threshold,
    "max-welfare": max_welfare,
    "phragmen": phragmen,
}


def allocate(election: Election, profile: Profile, rule: str, options: RuleOptions | None = None) -> Allocation:
    """Run the rule named `rule`.

    Raises:
        UnknownRule: when no rule has that id.
    """
    if rule not in RULES:
        raise UnknownRule(rule, sorted(RULES))
    return RULES[rule](election, profile, options or RuleOptions())
