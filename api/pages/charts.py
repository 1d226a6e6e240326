"""The results chart: one SVG with, for every project, a bar of its votes and a bar of its cost.

Drawn on the server so it needs no script and prints; every bar has a `<title>` and the page also shows the
numbers in a table, so nothing is told by colour or shape alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["ChartRow", "bar_chart"]

# each project takes a row: its name on one line, then its votes bar and its cost bar (narrow enough for a phone)
_BAR_WIDTH = 340
_WIDTH = 480
_LABEL = 24
_BAR = 16
_ROW = _LABEL + 2 * _BAR + 16


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One project in the chart."""

    name: str
    votes: int
    cost: int
    cost_text: str
    funded: bool
    votes_text: str = ""
    """The votes as the page's language writes them (default: the plain number)."""


def bar_chart(
    rows: Sequence[ChartRow], *, title: str, votes_label: str, money_label: str, funded_label: str, ident: str = "chart"
) -> Markup:
    """The SVG chart of `rows`: bar lengths are proportional to the largest votes and the largest cost.

    >>> svg = bar_chart([ChartRow("Park", 10, 500, "500 EUR", True), ChartRow("Bus", 5, 1000, "1,000 EUR", False)],
    ...                 title="Votes", votes_label="votes", money_label="cost", funded_label="funded")
    >>> svg.count('class="bar-votes'), 'width="340"' in svg, 'width="170"' in svg
    (2, True, True)
    """
    most_votes = max((r.votes for r in rows), default=0) or 1
    most_cost = max((r.cost for r in rows), default=0) or 1
    box = f"0 0 {_WIDTH} {_ROW * len(rows) + 4}"
    parts = [
        (
            f'<svg class="chart" role="img" aria-labelledby="{ident}-title" viewBox="{box}" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}-title">{escape(title)}</title>'
        )
    ]
    for index, row in enumerate(rows):
        top = index * _ROW + 2
        y = top + _LABEL + 2
        votes = round(_BAR_WIDTH * row.votes / most_votes)
        money = round(_BAR_WIDTH * row.cost / most_cost)
        funded = f" ({escape(funded_label)})" if row.funded else ""
        outline = " bar-funded" if row.funded else ""
        mark = "✓ " if row.funded else ""
        votes_text = escape(row.votes_text or str(row.votes))
        parts.append(
            f'<text class="chart-name" x="0" y="{top + _LABEL - 4}">{mark}{escape(_short(row.name))}</text>'
            f'<rect class="bar-votes{outline}" x="0" y="{y}" width="{votes}" height="{_BAR}">'
            f"<title>{escape(row.name)}{funded} · {escape(votes_label)}: {votes_text}</title></rect>"
            f'<text class="chart-label" x="{votes + 4}" y="{y + _BAR - 3}">{votes_text}</text>'
            f'<rect class="bar-money{outline}" x="0" y="{y + _BAR + 2}" width="{money}" height="{_BAR}">'
            f"<title>{escape(row.name)}{funded} · {escape(money_label)}: {escape(row.cost_text)}</title></rect>"
            f'<text class="chart-label" x="{money + 4}" y="{y + 2 * _BAR - 1}">{escape(row.cost_text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text in it is escaped above


def _short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
