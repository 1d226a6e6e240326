"""The outcome of an allocation rule, and its canonical JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from pbvote.canonical import JsonValue, canonical_json
from pbvote.project import ProjectId

__all__ = ["Allocation", "Tie", "canonical_json", "fraction_text"]


@dataclass(frozen=True, slots=True)
class Tie:
    """One tie the rule broke.

    Attributes:
        step: the selection step (0-based) at which the tie arose.
        candidates: the projects that tied, in tie-break order (the first was chosen).
        reason: what they tied on, e.g. `score 120` or `cost per vote 501/3`.
        tie_break: the tie-break order that decided, e.g. `min-cost,max-support,id`.
    """

    step: int
    candidates: tuple[ProjectId, ...]
    reason: str
    tie_break: str

    @property
    def chosen(self) -> ProjectId:
        """The project the tie-break put first."""
        return self.candidates[0]


@dataclass(frozen=True, slots=True)
class Allocation:
    """The projects a rule funds.

    Attributes:
        rule: the rule id as run (`greedy`, `mes`, ...).
        options: the options as run, as text (`satisfaction`, `completion`, `tie_break`, ...).
        selected: the funded projects in order of selection.
        total_cost: the sum of their costs.
        budget: the budget allocated.
        ties: every tie broken, in order.
        details: rule-specific facts as JSON values: scores, MES rounds with payments as exact fractions.
    """

    rule: str
    options: Mapping[str, str]
    selected: tuple[ProjectId, ...]
    total_cost: int
    budget: int
    ties: tuple[Tie, ...] = ()
    details: Mapping[str, JsonValue] = field(default_factory=dict)

    @property
    def leftover(self) -> int:
        """The budget not spent."""
        return self.budget - self.total_cost

    def to_json_value(self) -> dict[str, JsonValue]:
        """The allocation as a JSON object (no floats anywhere)."""
        return {
            "rule": self.rule,
            "options": dict(self.options),
            "selected": list(self.selected),
            "total_cost": self.total_cost,
            "budget": self.budget,
            "leftover": self.leftover,
            "ties": [
                {
                    "step": t.step,
                    "candidates": list(t.candidates),
                    "chosen": t.chosen,
                    "reason": t.reason,
                    "tie_break": t.tie_break,
                }
                for t in self.ties
            ],
            "details": dict(self.details),
        }


def fraction_text(value: Fraction) -> str:
    """An exact fraction as text: `3`, `-1/3`.

    >>> fraction_text(Fraction(6, 4)), fraction_text(Fraction(2))
    ('3/2', '2')
    """
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
