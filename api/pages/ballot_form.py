"""The resident's ballot as the pages show it: project cards, budget meters, and the reasons a choice is refused.

Everything here is computed from the election's definition (`pbvote.Election`) and `pbvote.validation`, so the
page refuses exactly what the server's intake refuses, and says so in the resident's language. The browser's
script shows the same messages, read from the `data-msg-*` attributes these values fill in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.pages.rendering import PageContext
from ballots.participation import AGE_GROUPS, GENDERS, Profile
from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.project import Project, ProjectId
from pbvote.validation import Reason, validate_ballot

__all__ = [
    "BallotView",
    "Card",
    "Meter",
    "age_group_choices",
    "ballot_view",
    "check_choice",
    "gender_choices",
    "localized",
    "profile_of",
]


@dataclass(frozen=True, slots=True)
class Card:
    """One project as a card: texts in the resident's language where the city gave them."""

    id: str
    number: int
    name: str
    cost: int
    cost_text: str
    categories: tuple[str, ...]
    description: str
    image: str
    map: str
    chosen: bool


@dataclass(frozen=True, slots=True)
class Meter:
    """A spending meter: the whole ballot (`category` empty) or one investment line."""

    category: str
    spent: int
    limit: int
    enforced: bool
    text: str


@dataclass(frozen=True, slots=True)
class BallotView:
    """What the ballot page shows."""

    cards: tuple[Card, ...]
    categories: tuple[str, ...]
    total: Meter
    lines: tuple[Meter, ...]
    min_length: int | None
    max_length: int | None


def localized(project: Project, field: str, language: str) -> str:
    """A project's text in a language: `extra["name_ar"]` if the city gave one, else the text as recorded."""
    translated = project.extra.get(f"{field}_{language}")
    if translated:
        return translated
    if field == "name":
        return project.name or project.id
    return project.extra.get(field, "")


def ballot_election(election: Election, district: str | None) -> Election:
    """The part of the election one resident votes on: their district's, or the whole one."""
    return election.district_election(district) if district else election


def ballot_view(page: PageContext, election: Election, district: str | None, chosen: Sequence[str]) -> BallotView:
    """The cards and meters of a ballot with `chosen` already ticked."""
    local = ballot_election(election, district)
    language = page.language.code
    picked = set(chosen)
    cards = tuple(
        Card(
            id=p.id,
            number=number,
            name=localized(p, "name", language),
            cost=p.cost,
            cost_text=page.money(p.cost, election.currency),
            categories=p.category,
            description=localized(p, "description", language),
            image=p.extra.get("image", ""),
            map=p.extra.get("map", ""),
            chosen=p.id in picked,
        )
        for number, p in enumerate(local.projects, start=1)
    )
    spent = sum(card.cost for card in cards if card.chosen)
    rules = election.ballot_rules
    money = election.currency
    limit = rules.max_sum_cost if rules.max_sum_cost is not None else local.budget
    total = _meter(page, "", spent, limit, money, enforced=rules.max_sum_cost is not None)
    lines = tuple(
        _meter(page, category, sum(c.cost for c in cards if c.chosen and category in c.categories), cap, money)
        for category, cap in sorted(rules.max_cost_per_category.items())
    )
    categories = tuple(sorted({c for card in cards for c in card.categories}))
    return BallotView(cards, categories, total, lines, rules.min_length, rules.max_length)


def _meter(page: PageContext, category: str, spent: int, limit: int, currency: str, *, enforced: bool = True) -> Meter:
    text = page.gettext("%(spent)s of %(limit)s", spent=page.money(spent, currency), limit=page.money(limit, currency))
    return Meter(category, spent, limit, enforced, text)


def check_choice(page: PageContext, election: Election, district: str | None, chosen: Sequence[str]) -> list[str]:
    """Every reason the choice breaks the rules, in the resident's language; empty when it is a valid ballot."""
    ballot = Ballot("page", tuple(ProjectId(p) for p in chosen), district=district)
    check = validate_ballot(election, ballot)
    known = [election.project(ProjectId(p)) for p in dict.fromkeys(chosen) if election.has_project(p)]
    return [_message(page, election, reason, known, len(chosen)) for reason in check.reasons]


def _message(  # noqa: PLR0911 -- one message per reason code
    page: PageContext, election: Election, reason: Reason, known: list[Project], count: int
) -> str:
    rules = election.ballot_rules
    money = election.currency
    total = page.money(sum(p.cost for p in known), money)
    name = reason.project_id or ""
    if election.has_project(name):
        name = localized(election.project(ProjectId(name)), "name", page.language.code)
    if reason.code == "too-few":
        return page.gettext("Projects chosen: %(count)s. Choose at least %(min)s.", count=count, min=rules.min_length)
    if reason.code == "too-many":
        return page.gettext("Projects chosen: %(count)s. Choose at most %(max)s.", count=count, max=rules.max_length)
    if reason.code == "over-cost":
        limit = page.money(rules.max_sum_cost or 0, money)
        message = "Your choices cost %(total)s, more than the %(limit)s you can spend."
        return page.gettext(message, total=total, limit=limit)
    if reason.code == "under-cost":
        limit = page.money(rules.min_sum_cost or 0, money)
        return page.gettext("Your choices cost %(total)s; choose at least %(limit)s.", total=total, limit=limit)
    if reason.code == "over-category-cap" and reason.category is not None:
        spent = page.money(sum(p.cost for p in known if reason.category in p.category), money)
        cap = page.money(rules.max_cost_per_category[reason.category], money)
        return page.gettext(
            "Your choices in %(category)s cost %(total)s, more than the %(limit)s allowed for that line.",
            category=reason.category,
            total=spent,
            limit=cap,
        )
    if reason.code == "duplicate-project":
        return page.gettext("%(project)s is chosen twice.", project=name)
    if reason.code in {"unknown-project", "wrong-district"} and name:
        return page.gettext("%(project)s is not on your ballot.", project=name)
    if reason.code == "wrong-district":
        return page.gettext("Choose your district.")
    # points ballots (not on these pages, whose ballots are approval) and any code added later: never the
    # domain's English text
    return page.gettext("This ballot breaks a rule of the election.")


def gender_choices(page: PageContext) -> list[tuple[str, str]]:
    """The answers to "gender" (value, words), after "prefer not to say" (the empty value, the default)."""
    words = {"female": page.gettext("Woman"), "male": page.gettext("Man"), "other": page.gettext("Another gender")}
    return [(value, words[value]) for value in GENDERS]


def age_group_choices(page: PageContext) -> list[tuple[str, str]]:
    """The answers to "age group" (value, words), after "prefer not to say" (the empty value, the default)."""
    words = {
        "under-18": page.gettext("Under 18"),
        "18-29": page.gettext("18 to 29"),
        "30-44": page.gettext("30 to 44"),
        "45-64": page.gettext("45 to 64"),
        "65+": page.gettext("65 or over"),
    }
    return [(value, words[value]) for value in AGE_GROUPS]


def profile_of(form: Mapping[str, object]) -> Profile:
    """What a resident chose to say in a form (fields `gender`, `age_group`); anything else counts as not said."""
    gender = str(form.get("gender") or "")
    age_group = str(form.get("age_group") or "")
    return Profile(gender if gender in GENDERS else None, age_group if age_group in AGE_GROUPS else None)
