"""Projects: the budget lines residents choose between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NewType

__all__ = ["Project", "ProjectId"]

ProjectId = NewType("ProjectId", str)


@dataclass(frozen=True, slots=True)
class Project:
    """One project (budget line).

    Attributes:
        id: the project id as the city writes it; a string, never assumed numeric (`c1`, `BO.OM.97/24`).
        cost: the cost in the election's integer counting unit.
        name: the project's title.
        category: the investment lines (categories) it belongs to; empty when the election has none.
        district: the district whose ballot lists it, if the election has districts.
        extra: every other recorded field (`votes`, `score`, `selected`, `description`, ...), as text, in file order.
    """

    id: ProjectId
    cost: int
    name: str = ""
    category: tuple[str, ...] = ()
    district: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
