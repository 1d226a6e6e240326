"""The registry of allocation rules, by kebab-case id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

from pbvote.ballot import Profile
from pbvote.election import Election
from pbvote.errors import UnknownRule
from pbvote.tiebreak import natural_key
from tally.allocation import Allocation
from tally.greedy import greedy, greedy_no_skip, greedy_per_cost, greedy_threshold
from tally.knapsack import max_welfare
from tally.mes import mes
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
    "mes": mes,
    "phragmen": phragmen,
}


def allocate(election: Election, profile: Profile, rule: str, options: RuleOptions | None = None) -> Allocation:
    """Run the rule named `rule`; an election with districts is allocated district by district.

    Each district's budget goes to its own projects by the same rule, using the ballots cast in that district.
    The combined allocation lists the districts' selections in natural district order; `details["districts"]`
    holds each district's own allocation, and each tie's reason names its district.

    Raises:
        UnknownRule: when no rule has that id.
    """
    if rule not in RULES:
        raise UnknownRule(rule, sorted(RULES))
    chosen = options or RuleOptions()
    if not election.districts:
        return RULES[rule](election, profile, chosen)
    parts = {
        name: RULES[rule](election.district_election(name), [b for b in profile if b.district == name], chosen)
        for name in sorted(election.districts, key=natural_key)
    }
    first = next(iter(parts.values()))
    return Allocation(
        rule=first.rule,
        options=first.options,
        selected=tuple(p for part in parts.values() for p in part.selected),
        total_cost=sum(part.total_cost for part in parts.values()),
        budget=election.budget,
        ties=tuple(
            replace(tie, reason=f"district {name}: {tie.reason}") for name, part in parts.items() for tie in part.ties
        ),
        details={"districts": {name: part.to_json_value() for name, part in parts.items()}},
    )
