"""Time pabutools (GPL, called as a library, installed only by the `bench` extra) on one `.pb` file.

Usage: `python benchmarks/_pabutools_runner.py FILE --variants KEY,KEY --timeout 120 --instance-budget 360`.

It parses the file once with `pabutools.election.parse_pabulib`, groups identical ballots with `as_multiprofile()`
(how a careful user runs MES: 10-70x faster on the real files), then runs each variant in a forked child under the
time limit and prints one JSON object per line: first `{"event": "parse", ...}`, then `{"event": "run", ...}` for
each variant, with `status` `ok`, `exceeded`, `error` or `n/a` (no pabutools counterpart), and `selected`, the
funded project ids in selection order.

Ties are broken as pbvote's default does (lower cost, then more supporters, then natural id order), through
pabutools' own `TieBreakingRule`, so an outcome differs only where the rules themselves differ. Two variants have
pabutools-specific notes:

- `mes/*/add1` is the cities' Add1 (README of the data set, RULES-NOTES): `exhaustion_by_budget_increase` with
  `exhaustive_stop=False` and `budget_step` = number of voters (each voter's budget +1 unit per step), keeping the
  last outcome within the real budget.
- `mes/cost/none@flat` is plain MES on the profile as read, one entry per ballot (no multiprofile), for
  comparison with figures measured that way.
- `mes/cost/add1@increment` is pabutools' own `voter_budget_increment=1`, which stops at the first exhaustive
  outcome instead (equalshares.net's default); it is timed against our `mes/cost/add1` to show the difference.

A variant whose first stage already exceeded the limit (`mes/cost/add1` runs `mes/cost/none` first) is reported
`exceeded` without being run; once an instance has used `--instance-budget` seconds, its remaining variants are
reported `not-run`, so the whole benchmark stays bounded even when pabutools times out everywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from _isolate import kill_running_child_on_term, run_isolated

from pbvote.tiebreak import natural_key

Recipe = Callable[[], Any]

PREREQUISITE = {
    "mes/cost/greedy": "mes/cost/none",
    "mes/cost/add1": "mes/cost/none",
    "mes/cost/add1@increment": "mes/cost/none",
    "mes/cost/add1-greedy": "mes/cost/add1",
    "mes/cost/add1+comparison": "mes/cost/add1",
    "mes/cardinality/greedy": "mes/cardinality/none",
    "mes/cardinality/add1": "mes/cardinality/none",
    "mes/cardinality/add1-greedy": "mes/cardinality/add1",
}
"""Variant -> a variant it runs first in full; if that one exceeded the limit, so does this one."""


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def _position_points(ballot: Any, project: Any) -> int:
    """Positional points on a ranking of n projects: n, n-1, ..., 1 (Kraków ranks 3: 3/2/1, its `score` column)."""
    order = list(ballot)
    return len(order) - order.index(project) if project in ballot else 0


def _given_points(ballot: Any, project: Any) -> int:
    return int(ballot[project]) if project in ballot else 0


def _sat_classes(vote_type: str) -> tuple[Any, Any]:
    """The satisfactions making pabutools' greedy order by score (score x cost) and by score per cost (score)."""
    from pabutools.election import (  # noqa: PLC0415 -- pabutools is imported only in this process
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        Cardinality_Sat,
        Cost_Sat,
    )

    if vote_type == "approval":
        return Cost_Sat, Cardinality_Sat
    score = _position_points if vote_type == "ordinal" else _given_points

    class ScoreCostSat(AdditiveSatisfaction):  # type: ignore[misc]
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            def func(_inst: Any, _prof: Any, ballot: Any, project: Any, _pre: Any) -> int:
                return score(ballot, project) * int(project.cost)

            AdditiveSatisfaction.__init__(self, instance, profile, ballot, func)

    class ScoreSat(AdditiveSatisfaction):  # type: ignore[misc]
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, lambda _i, _p, b, q, _d: score(b, q))

    return ScoreCostSat, (ScoreSat if vote_type == "ordinal" else Additive_Cardinal_Sat)


def recipes(instance: Any, profile: Any, flat: Any, vote_type: str, tie_breaking: Any) -> dict[str, Recipe]:
    """Each variant key -> a call of pabutools computing it on `instance` and `profile` (`flat`: one per ballot)."""
    from pabutools.election import Cardinality_Sat, Cost_Sat  # noqa: PLC0415 -- pabutools is imported only in this process
    from pabutools.rules import (  # noqa: PLC0415 -- pabutools is imported only in this process
        completion_by_rule_combination,
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
        popularity_comparison,
        sequential_phragmen,
    )

    by_score, per_cost = _sat_classes(vote_type)
    voters = profile.num_ballots()
    greedy = {"sat_class": by_score, "tie_breaking": tie_breaking}
    table: dict[str, Recipe] = {
        "greedy": lambda: greedy_utilitarian_welfare(instance, profile, **greedy),
        "greedy-per-cost": lambda: greedy_utilitarian_welfare(
            instance, profile, sat_class=per_cost, tie_breaking=tie_breaking
        ),
    }
    if vote_type != "approval":
        return table  # pabutools' cost and cardinality satisfactions ignore points: no like-for-like MES here

    def mes(sat: Any) -> dict[str, Any]:
        return {"sat_class": sat, "tie_breaking": tie_breaking}

    def add1(sat: Any) -> dict[str, Any]:
        return {
            "rule": method_of_equal_shares,
            "rule_params": mes(sat),
            "exhaustive_stop": False,
            "budget_step": voters,
        }

    for name, sat in (("cost", Cost_Sat), ("cardinality", Cardinality_Sat)):
        table[f"max-welfare/{name}"] = lambda sat=sat: max_additive_utilitarian_welfare(
            instance, profile, sat_class=sat
        )
        table[f"mes/{name}/none"] = lambda sat=sat: method_of_equal_shares(instance, profile, **mes(sat))
        table[f"mes/{name}/greedy"] = lambda sat=sat: completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare], [mes(sat), greedy]
        )
        table[f"mes/{name}/add1"] = lambda sat=sat: exhaustion_by_budget_increase(instance, profile, **add1(sat))
        table[f"mes/{name}/add1-greedy"] = lambda sat=sat: completion_by_rule_combination(
            instance, profile, [exhaustion_by_budget_increase, greedy_utilitarian_welfare], [add1(sat), greedy]
        )
    table["mes/cost/add1+comparison"] = lambda: popularity_comparison(
        instance,
        profile,
        Cost_Sat,
        [exhaustion_by_budget_increase, greedy_utilitarian_welfare],
        [add1(Cost_Sat), greedy],
    )[0]
    table["mes/cost/add1@increment"] = lambda: method_of_equal_shares(
        instance, profile, **mes(Cost_Sat), voter_budget_increment=1
    )
    table["mes/cost/none@flat"] = lambda: method_of_equal_shares(instance, flat, **mes(Cost_Sat))
    table["phragmen"] = lambda: sequential_phragmen(instance, profile, tie_breaking=tie_breaking)
    return table


def _tie_breaking(profile: Any) -> Any:
    from pabutools.tiebreaking import TieBreakingRule  # noqa: PLC0415 -- pabutools is imported only in this process

    support: Counter[str] = Counter()
    for ballot in profile:
        for project in ballot:
            support[project.name] += profile.multiplicity(ballot)
    return TieBreakingRule(lambda _inst, _prof, proj: (int(proj.cost), -support[proj.name], natural_key(proj.name)))


def _timed(recipe: Recipe) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    outcome = recipe()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "selected": [str(p.name) for p in outcome]}


def run(path: str, variants: list[str], timeout: float, instance_budget: float) -> None:
    """Parse `path` with pabutools and time each variant; print JSON lines."""
    started = time.perf_counter()
    from pabutools.election import parse_pabulib  # noqa: PLC0415 -- pabutools is imported only in this process

    import_seconds = time.perf_counter() - started
    started = time.perf_counter()
    instance, flat = parse_pabulib(path)
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    profile = flat.as_multiprofile()
    multi_seconds = time.perf_counter() - started
    vote_type = str(instance.meta.get("vote_type", "approval"))
    _emit(
        {
            "event": "parse",
            "import_seconds": import_seconds,
            "parse_seconds": parse_seconds,
            "multiprofile_seconds": multi_seconds,
            "ballots": int(profile.num_ballots()),
            "distinct_ballots": len(profile),
            "vote_type": vote_type,
        }
    )
    table = recipes(instance, profile, flat, vote_type, _tie_breaking(profile))
    statuses: dict[str, str] = {}
    spent = 0.0
    for key in variants:
        event: dict[str, Any] = {"event": "run", "variant": key}
        before = PREREQUISITE.get(key)
        if key not in table:
            event |= {"status": "n/a", "note": f"no pabutools counterpart for {vote_type} ballots"}
        elif before is not None and statuses.get(before) == "exceeded":
            event |= {"status": "exceeded", "note": f"implied: it first runs {before}, which exceeded {timeout:g} s"}
        elif spent >= instance_budget:
            event |= {"status": "not-run", "note": f"this instance's pabutools budget ({instance_budget:g} s) is spent"}
        else:
            outcome = run_isolated(lambda key=key: _timed(table[key]), timeout)
            spent += outcome.seconds
            event |= {"status": outcome.status, "seconds": outcome.seconds, "peak_rss_mib": outcome.peak_rss_mib}
            if outcome.status == "ok":
                event["selected"] = outcome.result["selected"]
                event["cpu_seconds"] = outcome.result["cpu_seconds"]
            elif outcome.status == "error":
                event["note"] = outcome.error
        statuses[key] = str(event["status"])
        _emit(event)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file")
    parser.add_argument("--variants", required=True, help="comma-separated variant keys")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run (default 120)")
    parser.add_argument("--instance-budget", type=float, default=360.0, help="pabutools seconds per instance")
    args = parser.parse_args(argv)
    kill_running_child_on_term()
    run(args.file, [v for v in args.variants.split(",") if v], args.timeout, args.instance_budget)
    return 0


if __name__ == "__main__":
    sys.exit(main())
