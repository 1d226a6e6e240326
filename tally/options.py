"""The options an allocation rule runs with; every one is checked before any work is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pbvote.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["Completion", "RuleOptions", "Satisfaction"]


class Satisfaction(StrEnum):
    """How much a voter gains from a funded project they support."""

    COST = "cost"
    """The project's cost (equalshares.net's default for MES)."""
    CARDINALITY = "cardinality"
    """One per supported project funded."""


class Completion(StrEnum):
    """How MES spends what its first pass leaves over."""

    NONE = "none"
    GREEDY = "greedy"
    ADD1 = "add1"
    ADD1_GREEDY = "add1-greedy"


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """Options shared by the rules; each rule reads the ones it understands.

    Attributes:
        satisfaction: the satisfaction function for `max-welfare` and `mes`.
        completion: for `mes`, how to spend the leftover; `None` means the rule's default.
        comparison: for `mes`, compare with the greedy outcome and keep the one a majority prefers.
        tie_break: the total order that decides ties.
        threshold: for `greedy-threshold`, the least score a project needs; `None` reads the election's META.
        scoring_fn: for ordinal ballots, positional points; `None` reads META `scoring_fn`, else Borda.
    """

    satisfaction: Satisfaction = Satisfaction.COST
    completion: Completion | None = None
    comparison: bool = False
    tie_break: TieBreak = field(default_factory=lambda: DEFAULT_TIE_BREAK)
    threshold: int | None = None
    scoring_fn: str | None = None
