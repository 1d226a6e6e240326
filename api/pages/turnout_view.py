"""Turnout tables that never single anybody out: groups under the threshold are hidden.

When only one group of a table would be hidden, its size would follow from the total minus the others, so the
next smallest group is hidden with it (complementary suppression).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MINIMUM_GROUP", "TurnoutRow", "TurnoutTable", "suppress"]

MINIMUM_GROUP = 10


@dataclass(frozen=True, slots=True)
class TurnoutRow:
    """A group shown with its number of ballots."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class TurnoutTable:
    """One breakdown of turnout; `hidden` says that some groups were left out."""

    caption: str
    heading: str
    rows: tuple[TurnoutRow, ...]
    hidden: bool


def suppress(
    counts: Iterable[tuple[str, int]], *, caption: str, heading: str, minimum: int = MINIMUM_GROUP
) -> TurnoutTable:
    """The table of `counts` (label, ballots; a label may repeat and is summed) without groups under `minimum`.

    >>> t = suppress([("North", 40), ("South", 12), ("East", 3), ("South", 2)], caption="c", heading="h")
    >>> [(r.label, r.count) for r in t.rows], t.hidden
    ([('North', 40)], True)
    >>> t = suppress([("a", 10), ("b", 11), ("c", 0)], caption="c", heading="h")
    >>> [(r.label, r.count) for r in t.rows], t.hidden
    ([('a', 10), ('b', 11)], False)
    """
    totals: Counter[str] = Counter()
    for label, count in counts:
        totals[label] += count
    small = {label for label, count in totals.items() if 0 < count < minimum}
    if len(small) == 1:
        shown = sorted((count, label) for label, count in totals.items() if count >= minimum)
        if shown:
            small.add(shown[0][1])
    rows = tuple(TurnoutRow(label, count) for label, count in totals.items() if count > 0 and label not in small)
    return TurnoutTable(caption, heading, rows, hidden=bool(small))
