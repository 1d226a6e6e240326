"""Turnout tables that never single anybody out: groups under the threshold are hidden.

When only one group of a table would be hidden, its size would follow from the total minus the others, so the
next smallest group is hidden with it (complementary suppression). Tables over a fixed list of groups (genders,
age groups: `breakdown`) list every group, a hidden one (or an empty one, so that hiding says nothing) without
its count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["MINIMUM_GROUP", "NOT_SAID", "TurnoutRow", "TurnoutTable", "breakdown", "group_table", "suppress"]

MINIMUM_GROUP = 10
NOT_SAID = "not-said"
"""The group of residents who did not say (their gender, their age group)."""


@dataclass(frozen=True, slots=True)
class TurnoutRow:
    """A group with its number of ballots or residents; `count` `None`: hidden."""

    label: str
    count: int | None


@dataclass(frozen=True, slots=True)
class TurnoutTable:
    """One breakdown of turnout; `hidden` says that some groups were left out."""

    caption: str
    heading: str
    rows: tuple[TurnoutRow, ...]
    hidden: bool

    @property
    def most(self) -> int:
        """The largest count shown (at least 1): the full length of the table's bars."""
        return max((row.count for row in self.rows if row.count is not None), default=0) or 1


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


def breakdown(
    counts: Iterable[tuple[str | None, int]], groups: Sequence[str], *, minimum: int = MINIMUM_GROUP
) -> tuple[tuple[str, int | None], ...]:
    """Every group of `groups` (then `NOT_SAID`, where `None` counts) with its count, `None` where hidden.

    Groups are hidden as `suppress` hides them; an empty group is shown as hidden too, so that a hidden group is
    not known to hold anybody.

    >>> breakdown([("f", 25), ("m", 14), (None, 3)], ("f", "m", "x"))
    (('f', 25), ('m', None), ('x', None), ('not-said', None))
    >>> breakdown([("f", 25), ("m", 14), (None, 10)], ("f", "m", "x"))
    (('f', 25), ('m', 14), ('x', None), ('not-said', 10))
    """
    table = suppress(((label or NOT_SAID, n) for label, n in counts), caption="", heading="", minimum=minimum)
    shown = {row.label: row.count for row in table.rows}
    return tuple((group, shown.get(group)) for group in (*groups, NOT_SAID))


def group_table(
    counts: Iterable[tuple[str | None, int]], groups: Sequence[tuple[str, str]], *, caption: str, heading: str
) -> TurnoutTable:
    """The table of a fixed list of groups (value, words; the last one `NOT_SAID`'s), hidden ones without a count."""
    words = dict(groups)
    values = [value for value, _ in groups if value != NOT_SAID]
    rows = tuple(TurnoutRow(words[value], count) for value, count in breakdown(counts, values))
    return TurnoutTable(caption, heading, rows, hidden=any(row.count is None for row in rows))
