"""The benchmark matrix: each rule variant we time, by a key both runners and the report share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["KNOWN", "Variant", "variants_for"]


@dataclass(frozen=True, slots=True)
class Variant:
    """One way of running a registered rule.

    Attributes:
        rule: the rule id in `tally.registry.RULES`.
        satisfaction: the `RuleOptions.satisfaction` value, or `None` for the default.
        completion: the `RuleOptions.completion` value, or `None` for the default.
        comparison: `RuleOptions.comparison`.
    """

    rule: str
    satisfaction: str | None = None
    completion: str | None = None
    comparison: bool = False

    @property
    def key(self) -> str:
        """The variant's name in tables and JSON: `greedy`, `max-welfare/cost`, `mes/cost/add1+comparison`."""
        parts = [self.rule]
        if self.satisfaction:
            parts.append(self.satisfaction)
        if self.completion:
            parts.append(self.completion)
        return "/".join(parts) + ("+comparison" if self.comparison else "")


_MES = [
    Variant("mes", sat, completion)
    for sat in ("cost", "cardinality")
    for completion in ("none", "greedy", "add1", "add1-greedy")
]
KNOWN: tuple[Variant, ...] = (
    Variant("greedy"),
    Variant("greedy-no-skip"),
    Variant("greedy-threshold"),
    Variant("greedy-per-cost"),
    Variant("max-welfare", "cost"),
    Variant("max-welfare", "cardinality"),
    Variant("phragmen"),
    *_MES[:4],
    Variant("mes", "cost", "add1", comparison=True),
    *_MES[4:],
)
"""The variants of the rules the issue names, cheapest first within each rule."""


def variants_for(registered: Iterable[str], wanted: Iterable[str] | None = None) -> list[Variant]:
    """The variants to time: the known ones for each registered rule, then other registered rules with defaults.

    Args:
        registered: the rule ids in the registry.
        wanted: keep only variants whose key or rule id is listed (`mes` keeps every MES variant).
    """
    ids = list(registered)
    chosen = [v for v in KNOWN if v.rule in ids]
    chosen += [Variant(rule) for rule in ids if rule not in {v.rule for v in KNOWN}]
    if wanted is not None:
        names = set(wanted)
        chosen = [v for v in chosen if v.key in names or v.rule in names]
    return chosen
