"""The greedy family: fund projects in order of score, highest first, while the money lasts.

This is what most cities run ("utilitarian greedy", Faliszewski et al., "Participatory Budgeting: Data, Tools and
Analysis", IJCAI 2023, section 3; pabulib `rule` values `greedy`, `greedy-no-skip`, `greedy-threshold`). Scores are
`tally.scores.project_scores`. Ties in the ranking are broken by `RuleOptions.tie_break`; a tie is recorded in
`Allocation.ties` when it decided something, that is when the tied projects did not all share one fate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import total_ordering

from pbvote.ballot import Profile, VoteType
from pbvote.canonical import JsonValue
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions
from pbvote.project import ProjectId
from tally.allocation import Allocation, Tie, fraction_text
from tally.options import RuleOptions
from tally.profile import compile_profile
from tally.scores import check_city_wide, positional_points, project_scores, tie_ranks

__all__ = ["greedy", "greedy_no_skip", "greedy_per_cost", "greedy_threshold", "resolve_threshold"]


@total_ordering
@dataclass(frozen=True, slots=True)
class _PerCost:
    """Score per unit of cost, ordered best first, compared by integer cross-multiplication (never floats).

    A free project with a positive score comes before every priced one (infinite ratio), one with a negative
    score after; between two such projects the higher score is better.
    """

    score: int
    cost: int

    def _parts(self) -> tuple[int, int, int]:
        """(tier, numerator, denominator): tier 0 is +infinity, 1 a finite ratio, 2 -infinity."""
        if self.cost:
            return 1, self.score, self.cost
        if self.score == 0:
            return 1, 0, 1
        return (0 if self.score > 0 else 2), self.score, 1

    def __lt__(self, other: object) -> bool:
        """Whether `self` comes first: the higher ratio (the higher score between two infinite ones)."""
        if not isinstance(other, _PerCost):
            return NotImplemented
        (t1, s1, c1), (t2, s2, c2) = self._parts(), other._parts()
        return t1 < t2 if t1 != t2 else s1 * c2 > s2 * c1

    def __eq__(self, other: object) -> bool:
        """Equal ratios (or equal infinite ratios with equal scores)."""
        if not isinstance(other, _PerCost):
            return NotImplemented
        (t1, s1, c1), (t2, s2, c2) = self._parts(), other._parts()
        return t1 == t2 and s1 * c2 == s2 * c1

    def __hash__(self) -> int:
        """Hash of the tier and the reduced ratio."""
        tier, score, cost = self._parts()
        return hash((tier, Fraction(score, cost)))

    def text(self) -> str:
        """The ratio as exact text (`inf` for a free project with a positive score)."""
        tier, score, cost = self._parts()
        return fraction_text(Fraction(score, cost)) if tier == 1 else ("inf" if tier == 0 else "-inf")


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one greedy variant runs."""

    rule: str
    per_cost: bool = False
    no_skip: bool = False
    threshold: int | None = None


def resolve_threshold(election: Election, options: RuleOptions, *, required: bool = True) -> int | None:
    """The least score a project needs: `RuleOptions.threshold`, else META `min_project_score_threshold`.

    Raises:
        InvalidRuleOptions: when neither is given and `required`, or META holds no integer.
    """
    if options.threshold is not None:
        return options.threshold
    raw = election.meta.get("min_project_score_threshold")
    if raw is None or not raw.strip():
        if not required:
            return None
        raise InvalidRuleOptions(
            "greedy-threshold needs a threshold: set RuleOptions.threshold or META min_project_score_threshold"
        )
    try:
        return int(raw.strip())
    except ValueError:
        raise InvalidRuleOptions(f"META min_project_score_threshold {raw!r} is not an integer") from None


def greedy(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund projects by score, highest first, skipping any that no longer fits (`greedy`).

    Definition: Faliszewski et al., IJCAI 2023 ("greedy"); pabulib's `rule;greedy`. Ties: equal scores are ordered
    by `options.tie_break`. Complexity: O(B + m log m) for B ballot entries and m projects.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 5), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("a"), P("c")))]
    >>> greedy(e, votes, RuleOptions()).selected  # a (3 votes), b (2) no longer fits, c (1) does
    ('a', 'c')
    """
    return _run(_Plan("greedy"), election, profile, options)


def greedy_no_skip(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund projects by score, highest first, and stop at the first one that does not fit (`greedy-no-skip`).

    Definition: pabulib's `rule;greedy-no-skip` (Gdynia). A threshold (`options.threshold`, else META
    `min_project_score_threshold`, as Gdynia's files record) leaves out the projects below it, as pabulib's checker
    does; without one every project counts. Ties: as `greedy`; a tie at the stopping point is reported when a tied
    project that fits would have been funded had it come first. Complexity: as `greedy`.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 5), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("a"), P("c")))]
    >>> greedy_no_skip(e, votes, RuleOptions()).selected  # b does not fit: c is never reached
    ('a',)
    """
    threshold = resolve_threshold(election, options, required=False)
    return _run(_Plan("greedy-no-skip", no_skip=True, threshold=threshold), election, profile, options)


def greedy_threshold(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Greedy over the projects whose score reaches a threshold (`greedy-threshold`).

    Definition: pabulib's `rule;greedy-threshold` with META `min_project_score_threshold` ("even if a project fits
    within the available budget, it will not be selected unless it meets this threshold"); `options.threshold`
    overrides META. Ties: as `greedy`. Complexity: as `greedy`.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 5), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("a"), P("c")))]
    >>> greedy_threshold(e, votes, RuleOptions(threshold=2)).selected  # c has 1 vote, below 2
    ('a',)
    """
    plan = _Plan("greedy-threshold", threshold=resolve_threshold(election, options))
    return _run(plan, election, profile, options)


def greedy_per_cost(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Fund projects by score per unit of cost, highest first, skipping any that no longer fits.

    Definition: greedy by "satisfaction density" (score / cost), the cost-normalised greedy of Talmon and
    Faliszewski ("A Framework for Approval-Based Budgeting Methods", AAAI 2019); on approval ballots it is
    pabutools' `greedy_utilitarian_welfare` with cardinality satisfaction. Ratios are compared exactly by integer
    cross-multiplication. Ties: equal ratios are ordered by `options.tie_break`. Complexity: as `greedy`.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 5), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("a"), P("c")))]
    >>> greedy_per_cost(e, votes, RuleOptions()).selected  # a 3/6 > b 2/5 > c 1/4; b no longer fits
    ('a', 'c')
    """
    return _run(_Plan("greedy-per-cost", per_cost=True), election, profile, options)


def _run(plan: _Plan, election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    check_city_wide(election, plan.rule)
    if election.vote_type == VoteType.ORDINAL:
        positional_points(election, options)  # refuse a bad scoring function before counting
    compiled = compile_profile(election, profile)
    scores = project_scores(election, compiled, options)
    ranks = tie_ranks(election, compiled, options)
    costs = [int(c) for c in compiled.costs]
    keys: list[object] = (
        [_PerCost(s, c) for s, c in zip(scores, costs, strict=True)] if plan.per_cost else [-s for s in scores]
    )
    order = sorted(range(len(scores)), key=lambda j: (keys[j], ranks[j]))
    eligible = (lambda j: scores[j] >= plan.threshold) if plan.threshold is not None else (lambda _j: True)
    chosen, stop = _pass(order, costs, election.budget, eligible, no_skip=plan.no_skip)
    ids = compiled.project_ids
    reason: Callable[[int], str] = (
        (lambda j: f"score per cost {_PerCost(scores[j], costs[j]).text()}")
        if plan.per_cost
        else (lambda j: f"score {scores[j]}")
    )
    left = election.budget - sum(costs[j] for j in chosen)
    # greedy-no-skip stopped at `stop`: had a tied project that still fits come first, it would have been funded
    fits_instead = {j for j in order if stop is not None and keys[j] == keys[stop] and j != stop and costs[j] <= left}
    ties = _ties(order, keys, chosen, fits_instead, reason=reason, ids=ids, tie_break=str(options.tie_break))
    details: dict[str, JsonValue] = {
        "scores": {ids[j]: scores[j] for j in range(len(ids))},
        "order": [ids[j] for j in order],
    }
    if plan.per_cost:
        details["score_per_cost"] = {ids[j]: _PerCost(scores[j], costs[j]).text() for j in range(len(ids))}
    return Allocation(
        rule=plan.rule,
        options=_options_text(election, options, plan),
        selected=tuple(ids[j] for j in chosen),
        total_cost=sum(costs[j] for j in chosen),
        budget=election.budget,
        ties=ties,
        details=details,
    )


def _pass(
    order: Sequence[int], costs: Sequence[int], budget: int, eligible: Callable[[int], bool], *, no_skip: bool
) -> tuple[list[int], int | None]:
    """The funded projects in order, and the project greedy-no-skip stopped at (`None` if it did not stop)."""
    remaining = budget
    chosen: list[int] = []
    for j in order:
        if not eligible(j):
            continue
        if costs[j] <= remaining:
            chosen.append(j)
            remaining -= costs[j]
        elif no_skip:
            return chosen, j
    return chosen, None


def _ties(
    order: Sequence[int],
    keys: Sequence[object],
    chosen: Sequence[int],
    fits_instead: set[int],
    *,
    reason: Callable[[int], str],
    ids: Sequence[ProjectId],
    tie_break: str,
) -> tuple[Tie, ...]:
    """The runs of equal keys where the tie-break decided.

    That is: their members did not share one fate, or one of them (`fits_instead`) would have been funded had it
    come before the project greedy-no-skip stopped at.
    """
    funded = set(chosen)
    ties: list[Tie] = []
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and keys[order[end]] == keys[order[start]]:
            end += 1
        run = order[start:end]
        if len(run) > 1 and (len({j in funded for j in run}) > 1 or fits_instead.intersection(run)):
            step = sum(1 for j in order[:start] if j in funded)
            ties.append(Tie(step, tuple(ids[j] for j in run), reason(run[0]), tie_break))
        start = end
    return tuple(ties)


def _options_text(election: Election, options: RuleOptions, plan: _Plan) -> dict[str, str]:
    text = {"tie_break": str(options.tie_break)}
    if election.vote_type == VoteType.ORDINAL:
        text["scoring_fn"] = ",".join(str(p) for p in positional_points(election, options))
    if plan.threshold is not None:
        text["threshold"] = str(plan.threshold)
    return text
