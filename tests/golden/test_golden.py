"""Golden elections: hand-worked examples, one YAML file each, with the expected outcome of each rule.

Each file names its `source` and works every expected outcome by hand in comments; nothing here is copied from
pbvote's own output. Schema: `budget`, `vote_type`, optional `ballot_rules` and `meta`, `projects` (id, cost),
`ballots` (a list of ids, or `{vote, points}`), and `expected`: a list of `{rule, options, selected, total_cost,
ties, scores, details}` (all but `rule` and `selected` optional). `rule: from-file` runs the META rule.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from pbvote.ballot import Ballot, VoteType
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import TieBreak
from tally.allocation import Allocation
from tally.fromfile import resolve
from tally.options import Completion, RuleOptions, Satisfaction
from tally.registry import allocate

GOLDEN = Path(__file__).parent
FILES = sorted(GOLDEN.glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def build(data: dict[str, Any]) -> tuple[Election, list[Ballot]]:
    meta = {str(k): str(v) for k, v in data.get("meta", {}).items()}
    election = Election(
        budget=data["budget"],
        projects=tuple(Project(ProjectId(str(p["id"])), p["cost"]) for p in data["projects"]),
        ballot_rules=BallotRules(VoteType(data["vote_type"]), **data.get("ballot_rules", {})),
        rule=meta.get("rule"),
        meta=meta,
    )
    ballots = []
    for n, raw in enumerate(data["ballots"], start=1):
        if isinstance(raw, dict):
            ballots.append(Ballot(f"v{n}", tuple(ProjectId(str(p)) for p in raw["vote"]), tuple(raw["points"])))
        else:
            ballots.append(Ballot(f"v{n}", tuple(ProjectId(str(p)) for p in raw)))
    return election, ballots


def options_from(raw: dict[str, Any]) -> RuleOptions:
    converters = {
        "satisfaction": Satisfaction,
        "completion": Completion,
        "tie_break": TieBreak.parse,
        "threshold": int,
        "scoring_fn": str,
        "comparison": bool,
    }
    return dataclasses.replace(RuleOptions(), **{k: converters[k](v) for k, v in raw.items()})


def run(election: Election, ballots: list[Ballot], rule: str, options: RuleOptions) -> Allocation:
    if rule == "from-file":
        rule, options = resolve(election, options)
    return allocate(election, ballots, rule, options)


CASES = [
    pytest.param(path, index, id=f"{path.stem}[{index}:{case['rule']}]")
    for path in FILES
    for index, case in enumerate(load(path)["expected"])
]


def test_every_golden_file_cites_a_source_and_expects_something():
    assert len(FILES) >= 4
    for path in FILES:
        data = load(path)
        assert data["source"].strip(), path
        assert data["expected"], path


@pytest.mark.parametrize(("path", "index"), CASES)
def test_golden_outcome(path, index):
    data = load(path)
    case = data["expected"][index]
    election, ballots = build(data)
    allocation = run(election, ballots, case["rule"], options_from(case.get("options", {})))
    assert list(allocation.selected) == [str(p) for p in case["selected"]]
    costs = {p.id: p.cost for p in election.projects}
    assert allocation.total_cost == sum(costs[p] for p in allocation.selected) <= election.budget
    if "total_cost" in case:
        assert allocation.total_cost == case["total_cost"]
    expected_ties = [[str(p) for p in tie] for tie in case.get("ties", [])]
    assert [list(t.candidates) for t in allocation.ties] == expected_ties
    if "scores" in case:
        assert allocation.details["scores"] == {str(k): v for k, v in case["scores"].items()}
    for key, value in case.get("details", {}).items():
        assert allocation.details[key] == value
