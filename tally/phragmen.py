"""`phragmen`: sequential Phragmén for participatory budgeting with costs, in exact fractions.

Every voter earns money continuously at the same rate; as soon as the supporters of a project hold its cost
together, they buy it and their balances drop to zero. Discretely: each voter carries a load (what they have spent
so far, in time units); project `p` would raise its supporters to the common load
`(cost(p) + sum of their loads) / number of supporters`, and the project with the least such load is bought next.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from pbvote.ballot import Profile, VoteType
from pbvote.canonical import JsonValue
from pbvote.election import Election
from pbvote.errors import InvalidRuleOptions
from tally.allocation import Allocation, Tie, fraction_text
from tally.options import RuleOptions
from tally.profile import CompiledProfile, compile_profile
from tally.scores import check_city_wide, tie_ranks

__all__ = ["phragmen"]


def phragmen(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Sequential Phragmén with project costs (`phragmen`).

    Definition: Phragmén's sequential rule (Brill, Freeman, Janson and Lackner, "Phragmén's Voting Methods and
    Justified Representation", AAAI 2017) extended to costs by Los, Christoff and Grossi ("Proportionality in
    Approval-Based Participatory Budgeting", AAAI 2023): a project is bought when its supporters' loads reach
    `(cost + their loads) / supporters`. The rule stops as soon as a project due to be bought next would exceed
    the budget, as in that paper and pabutools; projects dearer than the whole budget, and projects nobody
    supports, are never due. Approval (and choose-1) ballots only.

    Ties: projects due at the same load are ordered by `options.tie_break` and recorded; if any of them would
    exceed the budget the rule stops, so the stopping point does not depend on the tie-break.
    Complexity: O(k (G m + m k)) for k funded projects, m projects and G distinct ballots (integer matrix work,
    one exact fraction per project and round); `details["rounds"]` lists each purchase with its load.

    >>> from pbvote.ballot import Ballot
    >>> from pbvote.project import Project, ProjectId as P
    >>> e = Election(10, (Project(P("a"), 6), Project(P("b"), 3), Project(P("c"), 4)))
    >>> votes = [Ballot("1", (P("a"), P("b"))), Ballot("2", (P("a"),)), Ballot("3", (P("c"),))]
    >>> # a: 6/2 = 3, b: 3/1 = 3, c: 4/1 = 4. a and b tie at 3: the cheaper, b, first; voter 1 now carries 3.
    >>> # a: (6 + 3)/2 = 9/2, c: 4, so c; then a at 9/2 would cost 3 + 4 + 6 = 13 > 10: stop.
    >>> phragmen(e, votes, RuleOptions()).selected
    ('b', 'c')
    """
    check_city_wide(election, "phragmen")
    if election.vote_type not in {VoteType.APPROVAL, VoteType.CHOOSE_1}:
        raise InvalidRuleOptions(
            f"phragmen needs approval ballots; this election's ballots are {election.vote_type.value}"
        )
    compiled = compile_profile(election, profile)
    ranks = tie_ranks(election, compiled, options)
    state = _Loads(compiled)
    costs = [int(c) for c in compiled.costs]
    support = [int(s) for s in compiled.support]
    due = {j for j in range(len(costs)) if support[j] > 0 and costs[j] <= election.budget}
    ids, tie_break = compiled.project_ids, str(options.tie_break)
    chosen: list[int] = []
    ties: list[Tie] = []
    rounds: list[JsonValue] = []
    spent = 0
    while due:
        loads = state.due_loads(due, costs, support)
        least = min(loads.values())
        tied = sorted((j for j in due if loads[j] == least), key=lambda j: ranks[j])
        if any(spent + costs[j] > election.budget for j in tied):
            break
        if len(tied) > 1:
            ties.append(Tie(len(chosen), tuple(ids[j] for j in tied), f"load {fraction_text(least)}", tie_break))
        bought = tied[0]
        state.buy(bought, least)
        chosen.append(bought)
        due.discard(bought)
        spent += costs[bought]
        rounds.append({"project": ids[bought], "cost": costs[bought], "load": fraction_text(least)})
    return Allocation(
        rule="phragmen",
        options={"tie_break": tie_break},
        selected=tuple(ids[j] for j in chosen),
        total_cost=spent,
        budget=election.budget,
        ties=tuple(ties),
        details={"rounds": rounds, "supporters": {ids[j]: support[j] for j in range(len(ids))}},
    )


class _Loads:
    """Each distinct ballot's load, and for each project how many of its supporters carry each load.

    Buying a project sets all its supporters to one load, so few distinct loads ("levels") exist. `by_level[j, l]`
    counts the supporters of project `j` at level `l` (integers, moved with one matrix product per level on each
    purchase); a project's new load is then one exact fraction over the levels' common denominator.
    """

    def __init__(self, compiled: CompiledProfile) -> None:
        projects = len(compiled.project_ids)
        self.incidence = np.zeros((len(compiled.groups), projects), dtype=np.int8)  # small: one byte per cell
        for g, group in enumerate(compiled.groups):
            self.incidence[g, list(group)] = 1
        self.weights = compiled.weights
        self.level = np.zeros(len(compiled.groups), dtype=np.int64)
        self.by_level = np.zeros((projects, projects + 1), dtype=np.int64)
        self.by_level[:, 0] = compiled.support
        self.denominator = 1  # common denominator of the levels
        self.scaled = [0]  # each level times `denominator` (integers)

    def buy(self, project: int, load: Fraction) -> None:
        """Raise every supporter of `project` to `load`."""
        rows = np.flatnonzero(self.incidence[:, project])
        old_levels = self.level[rows]
        new = len(self.scaled)
        for old in np.unique(old_levels):
            chosen = rows[old_levels == old]
            moved = self.weights[chosen] @ self.incidence[chosen].astype(np.int64)
            self.by_level[:, old] -= moved
            self.by_level[:, new] += moved
        self.level[rows] = new
        factor = load.denominator // math.gcd(self.denominator, load.denominator)
        self.denominator *= factor
        self.scaled = [x * factor for x in self.scaled]
        self.scaled.append(load.numerator * (self.denominator // load.denominator))

    def due_loads(self, due: set[int], costs: list[int], support: list[int]) -> dict[int, Fraction]:
        """The load each project in `due` would give its supporters: (cost + their loads) / supporters."""
        loads: dict[int, Fraction] = {}
        for j in due:
            row = self.by_level[j]
            carried = sum(int(row[level]) * self.scaled[level] for level in np.flatnonzero(row).tolist())
            loads[j] = Fraction(costs[j] * self.denominator + carried, support[j] * self.denominator)
        return loads
