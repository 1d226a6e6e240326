"""The `mes` rule's contract: options checked first, clear errors, exact JSON details, completions."""

from __future__ import annotations

import json

import pytest

from pbvote.ballot import Ballot
from pbvote.election import Election
from pbvote.errors import InvalidElection, InvalidRuleOptions
from pbvote.project import Project, ProjectId
from tally.allocation import canonical_json
from tally.mes import DEFAULT_COMPLETION, mes
from tally.options import Completion, RuleOptions, Satisfaction
from tally.registry import RULES, allocate

P = ProjectId


@pytest.fixture(name="election")
def fx_election():
    return Election(100, (Project(P("a"), 60), Project(P("b"), 30), Project(P("c"), 25), Project(P("z"), 0)))


@pytest.fixture(name="profile")
def fx_profile():
    return [
        Ballot("1", (P("a"), P("b"))),
        Ballot("2", (P("a"),)),
        Ballot("3", (P("c"), P("z"))),
        Ballot("4", ()),
    ]


def test_registered_as_mes():
    assert RULES["mes"] is mes


def test_default_completion_is_add1(election, profile):
    assert DEFAULT_COMPLETION is Completion.ADD1
    allocation = allocate(election, profile, "mes")
    assert allocation.options["completion"] == "add1"
    assert "add1_increments" in allocation.details


@pytest.mark.parametrize("completion", list(Completion))
@pytest.mark.parametrize("satisfaction", list(Satisfaction))
@pytest.mark.parametrize("comparison", [False, True])
def test_output_is_exact_json_within_budget(election, profile, completion, satisfaction, comparison):
    options = RuleOptions(satisfaction=satisfaction, completion=completion, comparison=comparison)
    allocation = mes(election, profile, options)
    assert allocation.total_cost <= election.budget
    assert allocation.total_cost == sum(election.project(p).cost for p in allocation.selected)
    text = canonical_json(allocation.to_json_value())

    def no_float(value):
        raise AssertionError(f"a float in the output: {value}")

    json.loads(text, parse_float=no_float)
    rounds = allocation.details["rounds"]
    assert [r["project"] for r in rounds] == list(allocation.selected)
    for r in rounds:
        assert r["phase"] in {"mes", "add1", "greedy"}
        if r["phase"] != "greedy":
            assert r["paid"] == str(r["cost"])


def test_zero_cost_project_is_funded_only_by_greedy_under_cost_utility(election, profile):
    # Under cost utility z (cost 0) is worth nothing, so MES skips it; greedy funds it (1 vote, fits).
    plain = mes(election, profile, RuleOptions(completion=Completion.NONE))
    assert "z" not in plain.selected
    filled = mes(election, profile, RuleOptions(completion=Completion.GREEDY))
    assert "z" in filled.selected
    # Under cardinality z is worth 1 and costs nothing: rho 0, funded first.
    card = mes(election, profile, RuleOptions(satisfaction=Satisfaction.CARDINALITY, completion=Completion.NONE))
    assert card.selected[0] == "z"
    assert card.details["rounds"][0]["payers"] == 0


def test_empty_profile_funds_nothing(election):
    allocation = mes(election, [], RuleOptions())
    assert allocation.selected == ()
    assert allocation.details["add1_increments"] == 0


def test_unknown_completion_is_refused_before_work(election, profile):
    with pytest.raises(InvalidRuleOptions, match="completion"):
        mes(election, profile, RuleOptions(completion="add2"))  # type: ignore[arg-type]


def test_unknown_satisfaction_is_refused(election, profile):
    with pytest.raises(InvalidRuleOptions, match="satisfaction"):
        mes(election, profile, RuleOptions(satisfaction="joy"))  # type: ignore[arg-type]


def test_unknown_project_names_the_ballot(election):
    with pytest.raises(InvalidElection, match=r"ballot '7' names unknown project 'q'"):
        mes(election, [Ballot("7", (P("q"),))], RuleOptions())


def test_districts_must_be_run_one_by_one():
    districts = Election(
        10,
        (Project(P("a"), 5, district="north"), Project(P("b"), 5, district="south")),
        districts={"north": 5, "south": 5},
    )
    with pytest.raises(InvalidElection, match="district"):
        mes(districts, [], RuleOptions())


def test_options_are_recorded_as_text(election, profile):
    allocation = mes(election, profile, RuleOptions(comparison=True))
    assert allocation.options == {
        "satisfaction": "cost",
        "completion": "add1",
        "comparison": "true",
        "tie_break": "min-cost,max-support,id",
    }
