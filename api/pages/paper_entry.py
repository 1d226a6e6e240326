"""Keying a paper ballot as typed project numbers (`3 7 12`): what the numbers name, and what is wrong with them.

A number that names no project, or one typed twice, is a keying slip and is refused. A paper that breaks the
ballot rules (over the budget, too many projects) is what the resident wrote: it is keyed as it is, and counted
as invalid when the batch is reconciled, so the official is warned but not stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.pages.ballot_form import ballot_election, check_choice
from api.pages.rendering import PageContext
from pbvote.election import Election

__all__ = ["KeyedPaper", "read_numbers"]

_SEPARATORS = re.compile(r"[\s,;+.]+")


@dataclass(frozen=True, slots=True)
class KeyedPaper:
    """The projects a typed line names, the slips that stop it, and the rule warnings it is saved with."""

    selections: tuple[str, ...]
    slips: tuple[str, ...]
    warnings: tuple[str, ...]


def read_numbers(page: PageContext, election: Election, district: str | None, typed: str) -> KeyedPaper:
    """Read a typed line of project numbers (positions in the district's list, from 1).

    >>> from api.i18n import LANGUAGES
    >>> from pbvote.project import Project, ProjectId
    >>> from pbvote.election import BallotRules
    >>> e = Election(10, (Project(ProjectId("a"), 6), Project(ProjectId("b"), 6)), BallotRules(max_sum_cost=10))
    >>> page = PageContext(LANGUAGES["en"], "t", set_language=False)
    >>> read_numbers(page, e, None, "1, 2").warnings
    ('Your choices cost 12, more than the 10 you can spend.',)
    >>> read_numbers(page, e, None, "1 1 3 x").slips
    ('Number 1 is typed twice.', 'There is no project number 3.', '"x" is not a project number.')
    """
    projects = ballot_election(election, district).projects
    selections: list[str] = []
    slips: list[str] = []
    for token in _SEPARATORS.split(typed.strip()):
        if not token:
            continue
        if not token.isdigit():
            slips.append(page.gettext('"%(text)s" is not a project number.', text=token))
        elif not 1 <= int(token) <= len(projects):
            slips.append(page.gettext("There is no project number %(number)s.", number=int(token)))
        elif projects[int(token) - 1].id in selections:
            slips.append(page.gettext("Number %(number)s is typed twice.", number=int(token)))
        else:
            selections.append(projects[int(token) - 1].id)
    warnings = () if slips else tuple(check_choice(page, election, district, selections))
    return KeyedPaper(tuple(selections), tuple(slips), warnings)
