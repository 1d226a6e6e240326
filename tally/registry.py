"""The registry of allocation rules, by kebab-case id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from pbvote.ballot import Profile
from pbvote.election import Election
from pbvote.errors import UnknownRule
from tally.allocation import Allocation
from tally.mes import mes
from tally.options import RuleOptions

__all__ = ["RULES", "AllocationRule", "allocate"]


class AllocationRule(Protocol):
    """A rule: a pure function of the election, the ballots and the options."""

    def __call__(self, election: Election, profile: Profile, options: RuleOptions, /) -> Allocation:
        """Allocate the budget."""
        ...


RULES: Mapping[str, AllocationRule] = {
    "mes": mes,
}


def allocate(election: Election, profile: Profile, rule: str, options: RuleOptions | None = None) -> Allocation:
    """Run the rule named `rule`.

    Raises:
        UnknownRule: when no rule has that id.
    """
    if rule not in RULES:
        raise UnknownRule(rule, sorted(RULES))
    return RULES[rule](election, profile, options or RuleOptions())
