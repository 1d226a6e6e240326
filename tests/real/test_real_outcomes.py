"""Real elections: the rule each file records reproduces the city's funded projects (the `selected` column).

Truth is the cities' published outcomes and score columns (../shared/data/pabulib), and, for max-welfare, an
independent dense dynamic programme over every budget amount (numpy), which is exact but too slow for the rule.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from api.cli import main
from pbvote.errors import UnknownRule
from pbvote.pabulib import PbFile, read_pb
from tally.fromfile import resolve
from tally.options import Completion, RuleOptions, Satisfaction
from tally.profile import compile_profile
from tally.registry import RULES, allocate
from tally.scores import project_scores
from tests.conftest import PABULIB

GREEDY_FILES = ["Poland_Warszawa_2023_Mokotow.pb", "Poland_Czestochowa_2024.pb", "Poland_Krakow_2020.pb"]
MES_FILES = ["Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb"]
ALL_FILES = sorted(p.name for p in PABULIB.glob("*.pb"))


@functools.cache
def pb(name: str) -> PbFile:
    return read_pb(str(PABULIB / name))


def city(name: str) -> set[str]:
    return {p.id for p in pb(name).election.projects if p.extra["selected"].strip() == "1"}


@pytest.mark.parametrize("name", GREEDY_FILES)
def test_from_file_reproduces_the_city(name, pabulib_dir):
    election = pb(name).election
    rule, options = resolve(election)
    assert rule == "greedy"
    allocation = allocate(election, pb(name).ballots, rule, options)
    assert set(allocation.selected) == city(name)


def test_from_file_through_the_cli(pabulib_dir: Path, capsys):
    name = "Poland_Warszawa_2023_Mokotow.pb"
    assert main(["tally", str(pabulib_dir / name), "--rule", "from-file", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rule"] == "greedy"
    assert set(printed["selected"]) == city(name)


@pytest.mark.parametrize("name", MES_FILES)
def test_equal_shares_files_resolve_to_mes(name, pabulib_dir):
    election = pb(name).election
    rule, options = resolve(election)
    assert (rule, options.completion, options.comparison) == ("mes", Completion.ADD1, False)
    if "mes" in RULES:
        assert set(allocate(election, pb(name).ballots, rule, options).selected) == city(name)
    else:
        with pytest.raises(UnknownRule, match="mes"):
            allocate(election, pb(name).ballots, rule, options)


@pytest.mark.parametrize("name", ALL_FILES)
def test_scores_match_the_files_columns(name, pabulib_dir):
    election = pb(name).election
    scores = project_scores(election, compile_profile(election, pb(name).ballots), RuleOptions())
    column = "score" if "score" in election.projects[0].extra else "votes"
    assert scores == [int(p.extra[column]) for p in election.projects]


def dense_optimum(name: str, satisfaction: Satisfaction) -> int:
    """Best total value within the budget, by the textbook DP over every amount from 0 to the budget."""
    election = pb(name).election
    compiled = compile_profile(election, pb(name).ballots)
    best = np.zeros(election.budget + 1, dtype=np.int64)
    for cost, support in zip(compiled.costs.tolist(), compiled.support.tolist(), strict=True):
        value = cost * support if satisfaction == Satisfaction.COST else support
        if value > 0 and cost <= election.budget:
            if cost == 0:
                best += value
            else:
                best[cost:] = np.maximum(best[cost:], best[:-cost] + value)
    return int(best[-1])


@pytest.mark.parametrize("satisfaction", list(Satisfaction))
@pytest.mark.parametrize(
    "name", ["Netherlands_Amsterdam_631.pb", "Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb"]
)
def test_max_welfare_is_optimal_on_real_files(name, satisfaction, pabulib_dir):
    allocation = allocate(pb(name).election, pb(name).ballots, "max-welfare", RuleOptions(satisfaction=satisfaction))
    assert allocation.details["welfare"] == dense_optimum(name, satisfaction)
    assert allocation.total_cost <= allocation.budget
