"""`pbvote tally` and `pbvote compare`: run rules on a `.pb` file.

`pbvote tally FILE.pb --rule ID|from-file` prints the funded projects, the total cost and the leftover (and each
round when the rule reports rounds); `--json` prints the allocation as one canonical JSON object.
`pbvote compare FILE.pb` runs every registered rule and sets them side by side with the city's `selected` column.
Bad input exits with code 2 and one line naming the file, the line when there is one, and the cause.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence

from pbvote.canonical import JsonValue
from pbvote.errors import PabulibError, PbvoteError, UnknownRule
from pbvote.pabulib import PbFile, read_pb
from pbvote.tiebreak import TieBreak
from tally.allocation import Allocation, canonical_json
from tally.fromfile import resolve
from tally.options import Completion, RuleOptions, Satisfaction
from tally.profile import compile_profile
from tally.registry import RULES, allocate
from tally.scores import project_scores

__all__ = ["add_parsers", "run_compare", "run_tally"]

FROM_FILE = "from-file"


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tally` and `compare` on the `pbvote` command."""
    tally = subparsers.add_parser("tally", help="run an allocation rule on a .pb file")
    tally.add_argument("file", metavar="FILE.pb")
    tally.add_argument("--rule", default="greedy", help=f"rule id ({', '.join(sorted(RULES))}) or {FROM_FILE}")
    _add_options(tally)
    tally.add_argument("--json", action="store_true", help="print one canonical JSON object")
    tally.set_defaults(handler=run_tally)
    compare = subparsers.add_parser("compare", help="run every rule on a .pb file, beside the city's outcome")
    compare.add_argument("file", metavar="FILE.pb")
    _add_options(compare)
    compare.add_argument("--json", action="store_true", help="print one canonical JSON object")
    compare.set_defaults(handler=run_compare)


def _add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--satisfaction", choices=[s.value for s in Satisfaction], help="for max-welfare and mes")
    parser.add_argument("--completion", choices=[c.value for c in Completion], help="for mes")
    parser.add_argument("--comparison", action="store_true", default=None, help="for mes: keep the majority's pick")
    parser.add_argument("--tie-break", metavar="CRITERIA", help="e.g. min-cost,max-support or lot:SEED")
    parser.add_argument("--threshold", type=int, help="for greedy-threshold: the least score to be funded")
    parser.add_argument("--scoring-fn", metavar="FN", help="for ordinal ballots: borda or points such as 3,2,1")


def _options(args: argparse.Namespace) -> RuleOptions:
    """The options given on the command line (checked before the file is read)."""
    options = RuleOptions()
    if args.tie_break is not None:
        options = dataclasses.replace(options, tie_break=TieBreak.parse(args.tie_break))
    return _override(options, args)


def _override(options: RuleOptions, args: argparse.Namespace) -> RuleOptions:
    """Apply the flags the user gave explicitly (they win over the file's rule)."""
    changes: dict[str, object] = {}
    if args.satisfaction is not None:
        changes["satisfaction"] = Satisfaction(args.satisfaction)
    if args.completion is not None:
        changes["completion"] = Completion(args.completion)
    if args.comparison is not None:
        changes["comparison"] = args.comparison
    if args.threshold is not None:
        changes["threshold"] = args.threshold
    if args.scoring_fn is not None:
        changes["scoring_fn"] = args.scoring_fn
    return dataclasses.replace(options, **changes)  # type: ignore[arg-type] # keys are RuleOptions' fields


def run_tally(args: argparse.Namespace) -> int:
    """Tally a file and print the outcome; 2 on bad input."""
    try:
        options = _options(args)
        if args.rule != FROM_FILE and args.rule not in RULES:
            raise UnknownRule(args.rule, [*sorted(RULES), FROM_FILE])
        pb = read_pb(args.file)
        rule, options = _chosen_rule(args, pb, options)
        allocation = allocate(pb.election, pb.ballots, rule, options)
        scores = [] if args.json else _scores(pb, options)
    except PbvoteError as exc:
        return _fail(args.file, exc)
    if args.json:
        _print(canonical_json(allocation.to_json_value()))
    else:
        _print("\n".join(_report(pb, allocation, scores, args.file)))
    return 0


def _chosen_rule(args: argparse.Namespace, pb: PbFile, options: RuleOptions) -> tuple[str, RuleOptions]:
    if args.rule != FROM_FILE:
        return args.rule, options
    try:
        rule, resolved = resolve(pb.election, options)
    except UnknownRule as exc:
        raise PabulibError(args.file, _meta_line(args.file, "rule"), f"META rule: {exc}") from exc
    if rule not in RULES:
        missing = UnknownRule(rule, sorted(RULES))
        message = f"META rule {pb.election.rule!r} is run by rule {rule!r}: {missing}"
        raise PabulibError(args.file, _meta_line(args.file, "rule"), message) from missing
    return rule, _override(resolved, args)


def _meta_line(path: str, key: str) -> int:
    """The line of META `key` in the file (0 when absent): error messages name it."""
    with open(path, encoding="utf-8-sig") as handle:  # noqa: PTH123 -- the CLI's file argument is a plain path
        for number, line in enumerate(handle, start=1):
            if line.split(";", 1)[0].strip() == key:
                return number
            if line.strip().upper() == "PROJECTS":
                break
    return 0


def _fail(path: str, exc: PbvoteError) -> int:
    text = str(exc)
    message = text if text.startswith(path) else f"{path}: {text}"
    print(f"pbvote: {message}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
    return 2


def _print(text: str) -> None:
    print(text)  # noqa: T201 -- the CLI's own output


def _scores(pb: PbFile, options: RuleOptions) -> list[int]:
    return project_scores(pb.election, compile_profile(pb.election, pb.ballots), options)


def _report(pb: PbFile, allocation: Allocation, scores: Sequence[int], path: str) -> list[str]:
    election = pb.election
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    options = ", ".join(f"{k} {v}" for k, v in sorted(allocation.options.items()))
    lines = [f"{path}: rule {allocation.rule} ({options})", ""]
    rows = [
        [str(n), pid, election.project(pid).name, _money(election.project(pid).cost), str(scores[index[pid]])]
        for n, pid in enumerate(allocation.selected, start=1)
    ]
    lines += _table(["#", "project", "name", "cost", "score"], rows, right={0, 3, 4})
    currency = f" {election.currency}" if election.currency else ""
    lines += [
        "",
        f"funded {len(allocation.selected)} of {len(election.projects)} projects",
        (
            f"total cost {_money(allocation.total_cost)}{currency} of {_money(allocation.budget)}{currency}; "
            f"leftover {_money(allocation.leftover)}{currency}"
        ),
    ]
    lines += [
        f"tie at step {t.step} ({t.reason}): {', '.join(t.candidates)}; chose {t.chosen}" for t in allocation.ties
    ]
    rounds = allocation.details.get("rounds")
    if isinstance(rounds, list) and rounds:
        lines += ["", "rounds:", *_rounds(rounds)]
    return lines


def _rounds(rounds: Sequence[JsonValue]) -> list[str]:
    objects = [r for r in rounds if isinstance(r, dict)]
    headers = list(dict.fromkeys(key for r in objects for key in r))
    rows = [[str(n), *(_cell(r.get(h)) for h in headers)] for n, r in enumerate(objects, start=1)]
    return _table(["round", *headers], rows, right={0})


def _cell(value: JsonValue) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def run_compare(args: argparse.Namespace) -> int:
    """Run every registered rule (and the file's own rule) beside the city's `selected` column."""
    try:
        options = _options(args)
        pb = read_pb(args.file)
        scores = _scores(pb, options)
    except PbvoteError as exc:
        return _fail(args.file, exc)
    outcomes = _outcomes(pb, options, args)
    city = _city(pb)
    if args.json:
        _print(canonical_json(_compare_json(outcomes, city)))
    else:
        _print("\n".join(_compare_report(pb, outcomes, city, scores, args.file)))
    return 0


def _outcomes(pb: PbFile, options: RuleOptions, args: argparse.Namespace) -> dict[str, Allocation | str]:
    """Each rule's allocation, or why it could not run on this file."""
    outcomes: dict[str, Allocation | str] = {}
    for rule in sorted(RULES):
        try:
            outcomes[rule] = allocate(pb.election, pb.ballots, rule, options)
        except PbvoteError as exc:
            outcomes[rule] = str(exc)
    args.rule = FROM_FILE
    try:
        rule, resolved = _chosen_rule(args, pb, options)
        outcomes[FROM_FILE] = allocate(pb.election, pb.ballots, rule, resolved)
    except PbvoteError as exc:
        outcomes[FROM_FILE] = str(exc)
    return outcomes


def _city(pb: PbFile) -> set[str] | None:
    """The projects the city funded (the `selected` column), or `None` when the file does not record them."""
    if not all("selected" in p.extra for p in pb.election.projects):
        return None
    return {p.id for p in pb.election.projects if p.extra["selected"].strip() == "1"}


def _compare_json(outcomes: Mapping[str, Allocation | str], city: set[str] | None) -> dict[str, JsonValue]:
    rules: dict[str, JsonValue] = {}
    for rule, outcome in outcomes.items():
        if isinstance(outcome, Allocation):
            value = outcome.to_json_value()
            value["matches_city"] = None if city is None else set(outcome.selected) == city
            rules[rule] = value
        else:
            rules[rule] = {"error": outcome}
    selected: list[JsonValue] | None = None if city is None else [*sorted(city)]
    return {"city_selected": selected, "rules": rules}


def _compare_report(
    pb: PbFile, outcomes: Mapping[str, Allocation | str], city: set[str] | None, scores: Sequence[int], path: str
) -> list[str]:
    ran = {rule: o for rule, o in outcomes.items() if isinstance(o, Allocation)}
    chosen = {rule: set(o.selected) for rule, o in ran.items()}
    headers = ["project", "cost", "score", "city", *ran]
    rows: list[list[str]] = []
    for j, project in enumerate(pb.election.projects):
        mark = "?" if city is None else ("x" if project.id in city else "")
        rows.append([project.id, _money(project.cost), str(scores[j]), mark])
        rows[-1] += ["x" if project.id in chosen[rule] else "" for rule in ran]
    rows.append(["total cost", "", "", _money(sum(p.cost for p in pb.election.projects if city and p.id in city))])
    rows[-1] += [_money(o.total_cost) for o in ran.values()]
    verdicts = ["n/a" if city is None else ("yes" if chosen[rule] == city else "no") for rule in ran]
    rows.append(["matches city", "", "", "", *verdicts])
    lines = [f"{path}: budget {_money(pb.election.budget)}; META rule {pb.election.rule or '(none)'}", ""]
    lines += _table(headers, rows, right={1, 2})
    failed = [f"{rule}: not run: {reason}" for rule, reason in outcomes.items() if isinstance(reason, str)]
    return lines + (["", *failed] if failed else [])
