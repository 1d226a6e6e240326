"""The Method of Equal Shares (rule id `mes`), with its completions and the comparison step.

Definition: Peters, Pierczyński and Skowron, "Proportional participatory budgeting with additive utilities",
NeurIPS 2021 (arXiv:2008.13276), and equalshares.net. Each voter gets an equal share of the budget; each round
funds the project its supporters can pay for at the lowest price rho per unit of utility, each paying
`min(remaining budget, rho * utility)`. Utilities are defined in `tally._mes_instance`.

Options:
    satisfaction: `cost` (default, as equalshares.net) or `cardinality`.
    completion: `none`, `greedy` (fill the leftover greedily), `add1` (raise every voter's budget one unit at a
        time while the outcome stays within the budget, see `tally._mes_add1`), `add1-greedy` (both).
        The default is `add1`: equalshares.net's default and what the cities that pabulib records as
        `equalshares/add1` ran.
    comparison: keep the greedy outcome instead when more voters prefer it (`tally._mes_compare`).

Details (`Allocation.details`, exact fractions as text, never floats):
    rounds: one object per funded project in order: `project`, `cost`, `phase` (`mes`; `add1` when the run
        was at a raised voter budget; `greedy` for the greedy completion or a kept greedy outcome); for MES
        rounds `rho` (each supporter paid `min(budget, rho * utility)`), `payment_cap` (rho times the utility of
        one approval or point: the most a one-point supporter paid), `payers` (voters who paid something),
        `exhausted` (payers who paid all they had left) and `paid` (the total, the cost); for greedy rounds
        `score`.
    start_voter_budget, voter_budget: `budget / voters` and the voter budget of the run kept.
    add1_increments: the raises kept (Add1 only).
    comparison: `mes_backers`, `greedy_backers`, `kept` (with `comparison` only).

Ties: exactly equal rhos (or greedy scores) go by `RuleOptions.tie_break`; each is recorded in `Allocation.ties`.
Complexity: O(rounds * supporters) numpy work per run on grouped ballots, times the number of Add1 raises.
Exactness: `tally._mes_fast` decides each round in floats when no other choice is within a relative 1e-9 and
in exact arithmetic (`tally._mes_exact`) otherwise; `tally._mes_replay` then recomputes every published number
exactly. Property tests check this against the plain `Fraction` reference `tally._mes_exact.run_exact`.

>>> from pbvote.ballot import Ballot
>>> from pbvote.election import Election
>>> from pbvote.project import Project, ProjectId as P
>>> election = Election(30, (Project(P("a"), 20), Project(P("b"), 10), Project(P("c"), 10)))
>>> ballots = [Ballot("1", (P("a"),)), Ballot("2", (P("a"), P("b"))), Ballot("3", (P("c"),))]
>>> mes(election, ballots, RuleOptions(completion=Completion.NONE)).selected
('a', 'c')

Each voter has 10. `a` costs 20 and its two supporters pay 10 each (rho 1/2 per unit of cost utility); `b`'s
one supporter has nothing left; `c`'s supporter pays 10 (rho 1).
"""

from __future__ import annotations

from fractions import Fraction

from pbvote.ballot import Profile
from pbvote.canonical import JsonValue
from pbvote.election import Election
from pbvote.errors import InvalidElection, InvalidRuleOptions
from pbvote.project import ProjectId
from tally._mes_add1 import Solver, run_add1
from tally._mes_compare import popularity
from tally._mes_exact import MesRun
from tally._mes_greedy import greedy_fill, scores
from tally._mes_instance import MesInstance, build_instance
from tally.allocation import Allocation, Tie, fraction_text
from tally.options import Completion, RuleOptions, Satisfaction
from tally.profile import CompiledProfile, compile_profile

__all__ = ["DEFAULT_COMPLETION", "mes", "mes_instance"]

DEFAULT_COMPLETION = Completion.ADD1
"""equalshares.net's default, and the rule (`equalshares/add1`) of the cities that used MES."""

Steps = list[tuple[int, tuple[int, ...], str]]
Names = tuple[ProjectId, ...]
Outcome = tuple[list[int], list[JsonValue], Steps]


def _check(election: Election, options: RuleOptions) -> Completion:
    if not isinstance(options.satisfaction, Satisfaction):
        raise InvalidRuleOptions(f"mes: unknown satisfaction {options.satisfaction!r}; use cost or cardinality")
    completion = DEFAULT_COMPLETION if options.completion is None else options.completion
    if not isinstance(completion, Completion):
        raise InvalidRuleOptions(f"mes: unknown completion {completion!r}; use none, greedy, add1 or add1-greedy")
    if election.districts:
        raise InvalidElection("mes: run each district's election separately (Election.district_election)")
    return completion


def _compile(election: Election, profile: Profile) -> CompiledProfile:
    try:
        return compile_profile(election, profile)
    except KeyError:
        for ballot in profile:
            for pid in ballot.selections:
                if not election.has_project(pid):
                    raise InvalidElection(f"mes: ballot {ballot.voter_id!r} names unknown project {pid!r}") from None
        raise


def mes_instance(election: Election, profile: Profile, options: RuleOptions) -> tuple[CompiledProfile, MesInstance]:
    """The grouped ballots and MES's instance of them, under `options`' satisfaction and tie-break order.

    Raises:
        InvalidElection: for an election with districts, or a ballot naming an unknown project.
    """
    compiled = _compile(election, profile)
    places = options.tie_break.rank(election.projects, compiled.support_by_id())
    rank = tuple(places[pid] for pid in compiled.project_ids)
    return compiled, build_instance(compiled, election.budget, options.satisfaction, rank)


def mes(election: Election, profile: Profile, options: RuleOptions) -> Allocation:
    """Allocate the budget by the Method of Equal Shares.

    Raises:
        InvalidRuleOptions: for an unknown satisfaction or completion.
        InvalidElection: for an election with districts, or a ballot naming an unknown project.
    """
    completion = _check(election, options)
    compiled, instance = mes_instance(election, profile, options)
    solver = Solver.of(instance)
    details: dict[str, JsonValue] = {}
    if completion in {Completion.ADD1, Completion.ADD1_GREEDY}:
        raises, run = run_add1(solver)
        details["add1_increments"] = raises
    else:
        raises, run = 0, solver.run(Fraction(instance.budget, max(instance.voters, 1)))
    details["start_voter_budget"] = fraction_text(Fraction(instance.budget, max(instance.voters, 1)))
    details["voter_budget"] = fraction_text(run.start)
    order = list(run.order)
    names = compiled.project_ids
    rounds = _mes_rounds(instance, names, run, "add1" if raises else "mes", options.satisfaction)
    steps: Steps = [(s, c, f"rho {fraction_text(rho)}") for s, c, rho in run.ties]
    score = scores(compiled) if completion in {Completion.GREEDY, Completion.ADD1_GREEDY} or options.comparison else ()
    if completion in {Completion.GREEDY, Completion.ADD1_GREEDY}:
        _fill(instance, names, score, order=order, rounds=rounds, steps=steps)
    if options.comparison:
        order, rounds, steps = _compare(instance, names, score, (order, rounds, steps), details)
    return Allocation(
        rule="mes",
        options={
            "satisfaction": str(options.satisfaction),
            "completion": str(completion),
            "comparison": "true" if options.comparison else "false",
            "tie_break": str(options.tie_break),
        },
        selected=tuple(names[j] for j in order),
        total_cost=sum(instance.costs[j] for j in order),
        budget=election.budget,
        ties=tuple(Tie(s, tuple(names[j] for j in c), reason, str(options.tie_break)) for s, c, reason in steps),
        details={**details, "rounds": list(rounds)},
    )


def _mes_rounds(
    instance: MesInstance, names: Names, run: MesRun, phase: str, satisfaction: Satisfaction
) -> list[JsonValue]:
    rows: list[JsonValue] = []
    for r in run.rounds:
        unit = instance.costs[r.project] if satisfaction is Satisfaction.COST else 1
        rows.append(
            {
                "project": names[r.project],
                "cost": instance.costs[r.project],
                "phase": phase,
                "rho": fraction_text(r.rho),
                "payment_cap": fraction_text(r.rho * unit),
                "payers": r.payers,
                "exhausted": r.exhausted,
                "paid": fraction_text(r.paid),
            }
        )
    return rows


def _fill(
    instance: MesInstance,
    names: Names,
    score: tuple[int, ...],
    *,
    order: list[int],
    rounds: list[JsonValue],
    steps: Steps,
) -> None:
    added, ties = greedy_fill(instance.costs, score, instance.rank, instance.budget, order)
    order.extend(added)
    rounds.extend({"project": names[j], "cost": instance.costs[j], "phase": "greedy", "score": score[j]} for j in added)
    steps.extend((s, c, f"score {v}") for s, c, v in ties)


def _compare(
    instance: MesInstance,
    names: Names,
    score: tuple[int, ...],
    outcome: Outcome,
    details: dict[str, JsonValue],
) -> Outcome:
    order = outcome[0]
    greedy_order: list[int] = []
    greedy_rounds: list[JsonValue] = []
    greedy_steps: Steps = []
    _fill(instance, names, score, order=greedy_order, rounds=greedy_rounds, steps=greedy_steps)
    backs_mes, backs_greedy = popularity(instance, order, greedy_order)
    keep_greedy = backs_greedy > backs_mes
    details["comparison"] = {
        "mes_backers": backs_mes,
        "greedy_backers": backs_greedy,
        "kept": "greedy" if keep_greedy else "mes",
    }
    return (greedy_order, greedy_rounds, greedy_steps) if keep_greedy else outcome
