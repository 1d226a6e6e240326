"""MES on real pabulib elections: the cities that ran `equalshares/add1` published exactly this outcome."""

from __future__ import annotations

import pytest

from pbvote.pabulib import read_pb
from tally.mes import mes
from tally.options import Completion, RuleOptions, Satisfaction

ADD1_CITIES = ["Netherlands_Assen_2024", "Poland_Swiecie_2023"]
ALL = [
    *ADD1_CITIES,
    "Netherlands_Amsterdam_631",
    "Poland_Czestochowa_2024",
    "Poland_Krakow_2020",
    "Poland_Warszawa_2023_Mokotow",
]


@pytest.mark.parametrize("name", ADD1_CITIES)
def test_add1_reproduces_the_published_outcome(pabulib_dir, name):
    pb = read_pb(str(pabulib_dir / f"{name}.pb"))
    assert pb.election.rule == "equalshares/add1"
    funded = {p.id for p in pb.election.projects if p.extra["selected"] == "1"}
    allocation = mes(pb.election, pb.ballots, RuleOptions(completion=Completion.ADD1))
    assert set(allocation.selected) == funded
    assert allocation.total_cost <= pb.election.budget


@pytest.mark.parametrize("name", ADD1_CITIES)
def test_plain_mes_is_not_the_published_outcome(pabulib_dir, name):
    # Without Add1 these cities would have funded fewer projects: the completion matters on real data.
    pb = read_pb(str(pabulib_dir / f"{name}.pb"))
    funded = {p.id for p in pb.election.projects if p.extra["selected"] == "1"}
    plain = set(mes(pb.election, pb.ballots, RuleOptions(completion=Completion.NONE)).selected)
    assert plain < funded


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("satisfaction", list(Satisfaction))
def test_every_file_stays_within_budget(pabulib_dir, name, satisfaction):
    pb = read_pb(str(pabulib_dir / f"{name}.pb"))
    allocation = mes(pb.election, pb.ballots, RuleOptions(satisfaction=satisfaction, completion=Completion.ADD1_GREEDY))
    assert allocation.total_cost <= pb.election.budget
    mes_rounds = [r for r in allocation.details["rounds"] if r["phase"] != "greedy"]
    assert all(r["paid"] == str(r["cost"]) for r in mes_rounds)
