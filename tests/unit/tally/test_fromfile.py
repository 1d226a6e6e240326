"""META `rule` -> rule id and options, for every value pabulib uses."""

from __future__ import annotations

import pytest

from pbvote.election import Election
from pbvote.errors import UnknownRule
from pbvote.project import Project, ProjectId
from pbvote.tiebreak import TieBreak
from tally.fromfile import KNOWN_FILE_RULES, resolve
from tally.options import Completion, RuleOptions


def recorded(rule: str | None) -> Election:
    return Election(10, (Project(ProjectId("a"), 1),), rule=rule)


@pytest.mark.parametrize("rule", ["greedy", "greedy-no-skip", "greedy-threshold"])
def test_greedy_values_are_rule_ids(rule):
    assert resolve(recorded(rule)) == (rule, RuleOptions())


@pytest.mark.parametrize(
    ("value", "completion", "comparison"),
    [
        ("equalshares", Completion.NONE, False),
        ("equalshares-comparison", Completion.NONE, True),
        ("equalshares/add1", Completion.ADD1, False),
        ("equalshares/add1-comparison", Completion.ADD1, True),
        ("equalshares/add1-greedy", Completion.ADD1_GREEDY, False),
        ("equalshares/greedy", Completion.GREEDY, False),
    ],
)
def test_equal_shares_values_are_mes_with_options(value, completion, comparison):
    rule, options = resolve(recorded(value))
    assert (rule, options.completion, options.comparison) == ("mes", completion, comparison)


def test_greedy_with_a_threshold_runs_greedy_threshold():
    election = Election(10, (Project(ProjectId("a"), 1),), rule="greedy", meta={"min_project_score_threshold": "3"})
    assert resolve(election)[0] == "greedy-threshold"


def test_base_options_are_kept():
    base = RuleOptions(tie_break=TieBreak(("lot:7",)))
    _, options = resolve(recorded("equalshares/add1"), base)
    assert options.tie_break == base.tie_break


@pytest.mark.parametrize("value", ["greedy-custom", "greedy-exclusive", "unknown", "equalshares/add2", "GREEDY"])
def test_values_no_rule_reproduces_are_refused_by_name(value):
    with pytest.raises(UnknownRule, match=f"unknown rule '{value}'; known rules: equalshares") as caught:
        resolve(recorded(value))
    assert caught.value.known == KNOWN_FILE_RULES


def test_a_file_without_rule_is_refused():
    with pytest.raises(UnknownRule, match="none recorded"):
        resolve(recorded(None))
