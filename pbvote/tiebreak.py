"""Tie-breaking: an explicit total order on projects that always ends in the project id.

A tie-break is a list of criteria applied in turn; the project id (natural order: `c2` before `c10`) always
decides last, so the order is total and the outcome never depends on dict or set order. Criteria:

- `min-cost` / `max-cost`: cheaper (or dearer) project first;
- `max-support` / `min-support`: the project named on more (or fewer) ballots first;
- `lot:SEED`: a published lot: order by SHA-256 of `SEED:project_id`, reproducible by anyone with the seed;
- `id`: the project id alone (natural order).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pbvote.errors import InvalidRuleOptions
from pbvote.project import Project, ProjectId

__all__ = ["BY_COST_THEN_ID", "DEFAULT_TIE_BREAK", "TieBreak", "natural_key"]

_CRITERIA = ("min-cost", "max-cost", "max-support", "min-support", "id")
_DIGITS = re.compile(r"(\d+)")


def natural_key(project_id: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Sort key putting `c2` before `c10` and `9` before `10`, with the raw id as the final decider.

    >>> sorted(["10", "9", "c10", "c2"], key=natural_key)
    ['9', '10', 'c2', 'c10']
    """
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(project_id) if p)
    return parts, project_id


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A total order on projects: the criteria in turn, then the project id.

    Attributes:
        criteria: criterion names from the module docstring, applied in order.
    """

    criteria: tuple[str, ...] = ("min-cost", "max-support")

    def __post_init__(self) -> None:
        """Refuse unknown criteria before any work is done."""
        for criterion in self.criteria:
            if criterion not in _CRITERIA and not (criterion.startswith("lot:") and len(criterion) > len("lot:")):
                msg = f"unknown tie-break criterion {criterion!r}; use {', '.join(_CRITERIA)} or lot:SEED"
                raise InvalidRuleOptions(msg)

    @classmethod
    def parse(cls, text: str) -> TieBreak:
        """Read a comma-separated list such as `min-cost,max-support`.

        >>> TieBreak.parse("max-support, lot:2024").criteria
        ('max-support', 'lot:2024')
        """
        return cls(tuple(part.strip() for part in text.split(",") if part.strip()))

    def __str__(self) -> str:
        """The comma-separated form, ending in `id`."""
        return ",".join((*self.criteria, "id")) if "id" not in self.criteria else ",".join(self.criteria)

    def rank(self, projects: Sequence[Project], support: Mapping[ProjectId, int]) -> dict[ProjectId, int]:
        """Each project's place in the order, 0 first (the project preferred in any tie).

        Args:
            projects: every project that can tie.
            support: how many ballots name each project (missing means 0).
        """

        def key(project: Project) -> tuple[object, ...]:
            values = [_criterion_value(c, project, support.get(project.id, 0)) for c in self.criteria]
            return (*values, natural_key(project.id))

        return {project.id: place for place, project in enumerate(sorted(projects, key=key))}


def _criterion_value(criterion: str, project: Project, support: int) -> object:
    if criterion == "min-cost":
        return project.cost
    if criterion == "max-cost":
        return -project.cost
    if criterion == "max-support":
        return -support
    if criterion == "min-support":
        return support
    if criterion == "id":
        return natural_key(project.id)
    seed = criterion.removeprefix("lot:")
    return hashlib.sha256(f"{seed}:{project.id}".encode()).hexdigest()


DEFAULT_TIE_BREAK = TieBreak(("min-cost", "max-support"))
"""Cheaper first, then more supported, then the project id: equalshares.net's advice without the lot."""

BY_COST_THEN_ID = TieBreak(("min-cost",))
"""Cheaper first, then the project id."""
