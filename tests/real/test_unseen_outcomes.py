"""Real elections not among the shared six: `pbvote tally FILE --rule from-file` funds what the city funded.

The files are byte-exact copies from pabulib/pabulib_files (tests/fixtures/pabulib-unseen/README.md gives each one's
source path, commit, vote type and rule). Every file in that folder is listed below, either as reproduced by the
rule its META records or as not reproducible by any rule, with the reason; a file in neither list fails the run.
The city's outcome is the `selected` column's 1s (pabulib's 2 marks projects funded outside the rule's allocation).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from api.cli import main
from pbvote.errors import UnknownRule
from pbvote.pabulib import PbFile, parse_pb, read_pb, write_pb
from tally.fromfile import resolve

UNSEEN = Path(__file__).resolve().parent.parent / "fixtures" / "pabulib-unseen"

REPRODUCED = {
    "Netherlands_Amsterdam_2020_Terrasdorp.pb": "greedy",
    "Netherlands_Amsterdam_2021_Diamantbuurt.pb": "greedy",
    "Netherlands_Amsterdam_2022_Noord_West.pb": "greedy-no-skip",
    "Netherlands_Amsterdam_2022_Rijnbuurt_West.pb": "greedy",
    "Netherlands_Amsterdam_2022_Sloterdijk.pb": "greedy",
    "Netherlands_Assen_2025.pb": "mes",
    "Poland_Bydgoszcz_2025_Bartodzieje__small_projects.pb": "greedy-no-skip",
    "Poland_Bydgoszcz_2025_Blonie.pb": "greedy-no-skip",
    "Poland_Gdynia_2020_Cisowa__large.pb": "greedy-no-skip",
    "Poland_Gdynia_2023_Kamienna_Gora__large.pb": "greedy-no-skip",
    "Poland_Gdynia_2024_Srodmiescie__large.pb": "greedy-no-skip",
    "Poland_Katowice_2024_Zarzecze.pb": "greedy-threshold",
    "Poland_Warszawa_2017_Wawrzyszew.pb": "greedy",
    "Poland_Wieliczka_2023_Green_Budget.pb": "mes",
}
"""Files whose recorded rule reproduces the city's outcome, and the rule id it resolves to."""

NOT_REPRODUCIBLE = {
    # META rule `unknown`, and comment #2: about half the votes were cast on paper and are not in the file, so
    # no rule run on these ballots can give the official winners.
    "Hungary_Budapest_2022_VIII_Jozsefvaros.pb": "paper votes missing (rule unknown)",
    # META rule `greedy-custom` with budget_per_category (comment #2: a cap on each category's spending) and
    # comment #3: internet and paper votes were weighted 50/50, but the file does not say which ballot is which.
    "Netherlands_Amsterdam_2019_Kleine_Wereld.pb": "category caps, 50-50 weighted votes (greedy-custom)",
}
"""Files no documented rule reproduces from their own ballots, with the reason (it is the test id)."""


@functools.cache
def pb(name: str) -> PbFile:
    return read_pb(str(UNSEEN / name))


def city(name: str) -> set[str]:
    return {p.id for p in pb(name).election.projects if p.extra["selected"].strip() == "1"}


def test_every_fixture_is_listed():
    on_disk = {p.name for p in UNSEEN.glob("*.pb")}
    assert on_disk == set(REPRODUCED) | set(NOT_REPRODUCIBLE)
    assert not set(REPRODUCED) & set(NOT_REPRODUCIBLE)


@pytest.mark.parametrize("name", sorted(REPRODUCED))
def test_from_file_funds_what_the_city_funded(name, capsys):
    assert main(["tally", str(UNSEEN / name), "--rule", "from-file", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rule"] == REPRODUCED[name]
    assert set(printed["selected"]) == city(name)


@pytest.mark.parametrize(("name", "reason"), sorted(NOT_REPRODUCIBLE.items()), ids=lambda v: v)
def test_from_file_refuses_what_no_rule_reproduces(name, reason, capsys):
    with pytest.raises(UnknownRule):
        resolve(pb(name).election)
    assert main(["tally", str(UNSEEN / name), "--rule", "from-file", "--json"]) == 2
    assert "unknown rule" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted({*REPRODUCED, *NOT_REPRODUCIBLE}))
def test_write_then_read_gives_the_same_election(name):
    again = parse_pb(write_pb(pb(name).election, pb(name).ballots))
    assert again.election == pb(name).election
    assert again.ballots == pb(name).ballots
