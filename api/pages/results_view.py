"""The results page's content: funded projects, the chart, and the rule explained in plain words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup

from api.pages.ballot_form import localized
from api.pages.charts import ChartRow, bar_chart
from api.pages.rendering import PageContext
from pbvote.election import Election
from pbvote.project import ProjectId

__all__ = ["FundedRow", "PaymentRow", "ResultView", "explain_rule", "result_view"]


@dataclass(frozen=True, slots=True)
class FundedRow:
    """A funded project."""

    id: str
    name: str
    cost_text: str
    votes: int


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """What the supporters of one funded project paid (Method of Equal Shares)."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """What the results page shows."""

    funded: tuple[FundedRow, ...]
    spent_text: str
    budget_text: str
    chart: Markup
    explanation: tuple[str, ...]
    payments: tuple[PaymentRow, ...]


def result_view(  # noqa: PLR0917 -- the view's inputs, each named at every call
    page: PageContext,
    election: Election,
    result: Mapping[str, object],
    votes: Mapping[str, int],
    voters: int,
    chart_id: int = 1,
) -> ResultView:
    """The results of `election` from its stored allocation (`Allocation.to_json_value()`) and the vote counts."""
    language = page.language.code
    money = election.currency
    selected = [ProjectId(str(p)) for p in _list(result.get("selected"))]
    funded = tuple(
        FundedRow(
            p,
            localized(election.project(p), "name", language),
            page.money(election.project(p).cost, money),
            votes.get(p, 0),
        )
        for p in selected
        if election.has_project(p)
    )
    chosen = set(selected)
    ordered = sorted(election.projects, key=lambda p: (p.id not in chosen, -votes.get(p.id, 0), p.id))
    rows = [
        ChartRow(
            localized(p, "name", language),
            votes.get(p.id, 0),
            p.cost,
            page.money(p.cost, money),
            p.id in chosen,
            page.count(votes.get(p.id, 0)),
        )
        for p in ordered
    ]
    chart = bar_chart(
        rows,
        title=page.gettext("Votes and cost of every project; funded projects are marked with a tick"),
        votes_label=page.gettext("votes"),
        money_label=page.gettext("cost"),
        funded_label=page.gettext("funded"),
        ident=f"chart-{chart_id}",
    )
    rule = str(result.get("rule", ""))
    details = result.get("details")
    total_cost = sum(election.project(p).cost for p in selected if election.has_project(p))
    return ResultView(
        funded=funded,
        spent_text=page.money(total_cost, money),
        budget_text=page.money(election.budget, money),
        chart=chart,
        explanation=explain_rule(page, rule, election, voters, details if isinstance(details, dict) else None),
        payments=_payments(page, election, result),
    )


def explain_rule(  # noqa: PLR0911 -- one explanation per rule
    page: PageContext, rule: str, election: Election, voters: int, details: Mapping[str, object] | None = None
) -> tuple[str, ...]:
    """The rule in plain words, one paragraph each (`details`: the allocation's, for what Equal Shares recorded)."""
    budget = page.money(election.budget, election.currency)
    if _is_mes(rule):
        share = page.money(election.budget * 100 // max(voters, 1), election.currency, exponent=2)
        raised: tuple[str, ...] = ()
        if details and details.get("add1_increments") and "voter_budget" in details:
            raised = (
                page.gettext(
                    "To use as much of the budget as possible, every share was then raised to %(share)s and the "
                    "method was run again; the last result that fitted in the budget was kept.",
                    share=_money_text(page, str(details["voter_budget"]), election.currency),
                ),
            )
        return (
            page.gettext(
                "The Method of Equal Shares was used. The budget of %(budget)s was split into %(voters)s equal "
                "shares of about %(share)s, one for every voter.",
                budget=budget,
                voters=page.count(voters),
                share=share,
            ),
            page.gettext(
                "A project could be funded only if the voters who chose it could pay its whole cost from their "
                "shares. At each step, the project whose supporters had to pay the least each was funded, and "
                "they paid for it as equally as they could."
            ),
            page.gettext(
                "This way every group of voters decides about a part of the budget in proportion to its size, "
                "and a large group cannot take all the money."
            ),
            *raised,
        )
    if rule == "max-welfare":
        return (
            page.gettext(
                "The projects were chosen so that, within the budget of %(budget)s, the total number of votes "
                "of the funded projects is as large as possible.",
                budget=budget,
            ),
        )
    if rule == "greedy-per-cost":
        return (
            page.gettext(
                "Projects were taken in order of votes per unit of cost, best first. Each was funded if it still "
                "fitted in what was left of the %(budget)s budget.",
                budget=budget,
            ),
        )
    if rule == "greedy-threshold":
        return (
            page.gettext(
                "Only projects with at least the number of votes the city set could be funded. They were taken in "
                "order of votes, most first, and each was funded if it still fitted in what was left of the "
                "%(budget)s budget.",
                budget=budget,
            ),
        )
    if rule == "phragmen":
        return (
            page.gettext(
                "Sequential Phragmén was used. Every voter earns money for the projects they chose, all at the same "
                "rate; a project is bought as soon as its supporters together can pay its cost, shared so that what "
                "each has paid stays as equal as possible. The count stopped when the next project due did not fit "
                "in the %(budget)s budget.",
                budget=budget,
            ),
        )
    if rule == "greedy-no-skip":
        return (
            page.gettext(
                "Projects were taken in order of votes, most first, and funded until the first one that did not "
                "fit in what was left of the %(budget)s budget.",
                budget=budget,
            ),
        )
    return (
        page.gettext(
            "Projects were taken in order of votes, most first. Each was funded if it still fitted in what was "
            "left of the %(budget)s budget; a project that did not fit was skipped and the next one was tried.",
            budget=budget,
        ),
    )


def _payments(page: PageContext, election: Election, result: Mapping[str, object]) -> tuple[PaymentRow, ...]:
    """Who paid for each funded project, from the rounds an Equal Shares rule records in its details."""
    details = result.get("details")
    rounds = details.get("rounds") if isinstance(details, dict) else None
    if not isinstance(rounds, list):
        return ()
    rows = []
    for item in rounds:
        if not isinstance(item, dict) or not election.has_project(str(item.get("project"))):
            continue
        project = election.project(ProjectId(str(item["project"])))
        cost = page.money(project.cost, election.currency)
        if item.get("phase") in {"mes", "add1"}:
            text = page.gettext(
                "Supporters who paid: %(payers)s. Most paid by one: %(cap)s. Total: %(cost)s. "
                "Supporters who spent all they had left: %(exhausted)s.",
                payers=item.get("payers", "?"),
                cap=_money_text(page, str(item.get("payment_cap", "0")), election.currency),
                cost=cost,
                exhausted=item.get("exhausted", "?"),
            )
        else:
            text = page.gettext("%(cost)s paid from the money left over, in order of votes.", cost=cost)
        rows.append(PaymentRow(localized(project, "name", page.language.code), text))
    return tuple(rows)


def _money_text(page: PageContext, fraction: str, currency: str) -> str:
    r"""An exact amount written as a fraction (`501/3`), rounded to cents for reading.

    >>> from api.i18n import LANGUAGES
    >>> page = PageContext(LANGUAGES["fr"], "t", set_language=False)
    >>> _money_text(page, "501/3", "EUR"), _money_text(page, "7", "")
    ('167,00\xa0€', '7,00')
    """
    try:
        value = Fraction(fraction)
    except (ValueError, ZeroDivisionError):
        return fraction
    return page.money(round(value * 100), currency, exponent=2)


def _is_mes(rule: str) -> bool:
    return rule.startswith(("mes", "equal-shares", "equalshares"))


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
