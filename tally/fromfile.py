"""The rule an election records (pabulib META `rule`) as a rule id and options.

pabulib's values (the format at https://pabulib.org/format and the checker's list in pabulib/checker):
`greedy`, `greedy-no-skip`, `greedy-threshold` (with META `min_project_score_threshold`), `equalshares`,
`equalshares-comparison`, `equalshares/add1`, `equalshares/add1-comparison`, plus `greedy-exclusive`,
`greedy-custom` (city-specific exceptions described only in a comment) and `unknown`, which no rule reproduces.
`greedy` with META `min_project_score_threshold` runs as `greedy-threshold`: the format says a project below the
threshold "will not be selected", and pabulib's checker reports such a file's rule as mislabelled.
`greedy-custom` is run only when its META `leftover_budget` names a custom part that a rule here is: Amsterdam's
Buurtbudget files (2020-2022) say "Fund additional projects that fit within leftover budget ordered by score",
which is the skipping greedy (a greedy-no-skip that then funds what still fits, in score order). Some 2022 files say
"Partially fund one additional project with highest score": that is `greedy-no-skip`, and the project it stops at
gets a part of what is left, outside the rule (pabulib marks it `selected`=2). A file with no `leftover_budget` whose
only custom part is META `max_project_cost` (Weesp 2021: a cap on what a proposal may cost, which every project
meets) spends no leftover: `greedy-no-skip`. Any other `leftover_budget`, or none, is refused with the text quoted;
so is a file with a META `budget_per_...` cap (Amsterdam 2019 `budget_per_category`: a cap on each category's
spending, with internet and paper votes weighted 50/50), which no rule here applies.
Equal Shares maps to rule `mes` with its completion (`/add1`, `/greedy`, `/add1-greedy`; none by default) and
`comparison=True` for a `-comparison` suffix.
"""

from __future__ import annotations

import dataclasses

from pbvote.election import Election
from pbvote.errors import UnknownRule
from tally.options import Completion, RuleOptions

__all__ = ["KNOWN_FILE_RULES", "resolve"]

_GREEDY = ("greedy", "greedy-no-skip", "greedy-threshold")
_CUSTOM = "greedy-custom"
# META `leftover_budget` texts of `greedy-custom` files, and the rule each describes (compared case-insensitively)
_LEFTOVER_RULES = {
    "fund additional projects that fit within leftover budget ordered by score": "greedy",
    # the next project is funded only in part, outside the rule: pabulib marks it selected=2
    "partially fund one additional project with highest score": "greedy-no-skip",
}
_COMPLETIONS = {"": Completion.NONE, "/add1": Completion.ADD1, "/greedy": Completion.GREEDY}
_COMPLETIONS["/add1-greedy"] = Completion.ADD1_GREEDY

KNOWN_FILE_RULES: tuple[str, ...] = tuple(
    sorted(
        [
            *_GREEDY,
            *(f"equalshares{suffix}{comparison}" for suffix in _COMPLETIONS for comparison in ("", "-comparison")),
        ]
    )
)
"""Every META `rule` value `resolve` understands."""


def resolve(election: Election, base: RuleOptions | None = None) -> tuple[str, RuleOptions]:
    """The rule id and options for the election's recorded rule.

    Args:
        election: the election; its `rule` is META `rule`.
        base: options to start from (tie-break, satisfaction...); the file's rule sets completion and comparison.

    Raises:
        UnknownRule: when the election records no rule, or one no rule here reproduces (the message names it).

    >>> from pbvote.project import Project, ProjectId
    >>> e = Election(10, (Project(ProjectId("a"), 1),), rule="equalshares/add1-comparison")
    >>> rule_id, options = resolve(e)
    >>> rule_id, options.completion.value, options.comparison
    ('mes', 'add1', True)
    """
    options = base or RuleOptions()
    value = (election.rule or "").strip()
    if value == _CUSTOM:
        value = _custom_greedy(election)
    if value in _GREEDY:
        # a threshold binds whatever the rule is called (pabulib's checker flags `greedy` with one as a mislabel)
        threshold = election.meta.get("min_project_score_threshold", "").strip()
        return ("greedy-threshold" if value == "greedy" and threshold else value), options
    rest = value.removeprefix("equalshares")
    if rest != value:
        comparison = rest.endswith("-comparison")
        completion = _COMPLETIONS.get(rest.removesuffix("-comparison"))
        if completion is not None:
            return "mes", dataclasses.replace(options, completion=completion, comparison=comparison)
    raise UnknownRule(value or "(none recorded)", KNOWN_FILE_RULES)


def _custom_greedy(election: Election) -> str:
    """The greedy variant a `greedy-custom` file's META `leftover_budget` describes.

    Raises:
        UnknownRule: when `leftover_budget` describes no rule here, when it is missing and the file's custom part is
            not a met `max_project_cost`, or when a META `budget_per_...` field caps a part of the budget (the message
            quotes the field).
    """
    for key, value in sorted(election.meta.items()):
        if key.startswith("budget_per_") and value.strip():
            raise UnknownRule(f"{_CUSTOM} ({key} {value.strip()!r})", KNOWN_FILE_RULES)
    leftover = " ".join(election.meta.get("leftover_budget", "").split())
    if not leftover and _cost_cap_met(election):
        return "greedy-no-skip"
    rule = _LEFTOVER_RULES.get(leftover.lower())
    if rule is None:
        raise UnknownRule(f"{_CUSTOM} (leftover_budget {leftover!r})" if leftover else _CUSTOM, KNOWN_FILE_RULES)
    return rule


def _cost_cap_met(election: Election) -> bool:
    """Whether META `max_project_cost` is a whole number that no project's cost exceeds."""
    cap = election.meta.get("max_project_cost", "").strip()
    return cap.isdigit() and all(project.cost <= int(cap) for project in election.projects)
