"""Canonical JSON, the election definition and districts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pbvote.ballot import Ballot
from pbvote.canonical import canonical_json, election_from_json, election_hash, election_to_json
from pbvote.election import Election
from pbvote.errors import InvalidElection
from pbvote.pabulib import read_pb
from pbvote.project import Project, ProjectId
from pbvote.validation import validate_ballot


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json({"z": 1, "a": {"y": [True, None], "b": "ñ"}}) == '{"a":{"b":"ñ","y":[true,null]},"z":1}'


def test_canonical_json_refuses_floats():
    with pytest.raises(TypeError, match="no floats"):
        canonical_json({"cost": 1.5})


def test_election_hash_is_sha256_of_canonical_definition(pabulib_dir: Path):
    election = read_pb(str(pabulib_dir / "Netherlands_Assen_2024.pb")).election
    expected = hashlib.sha256(canonical_json(election_to_json(election)).encode()).hexdigest()
    assert election_hash(election) == expected
    assert election_from_json(election_to_json(election)) == election


def test_definition_errors_name_the_field():
    with pytest.raises(InvalidElection, match=r"projects\[0\]\.cost must be an integer"):
        election_from_json(
            {"budget": 10, "ballot_rules": {"vote_type": "approval"}, "projects": [{"id": "a", "cost": 1.5}]}
        )
    with pytest.raises(InvalidElection, match="no 'budget' field"):
        election_from_json({"ballot_rules": {"vote_type": "approval"}, "projects": []})


def districts_election() -> Election:
    projects = (
        Project(ProjectId("n1"), 40, district="north"),
        Project(ProjectId("s1"), 30, district="south"),
    )
    return Election(budget=100, projects=projects, districts={"north": 60, "south": 40})


def test_district_budgets_must_add_up():
    with pytest.raises(InvalidElection, match="add up to 90"):
        Election(budget=100, projects=(), districts={"north": 60, "south": 30})


def test_district_ballot_names_only_its_district():
    election = districts_election()
    ok = Ballot("v1", (ProjectId("n1"),), district="north")
    wrong = Ballot("v2", (ProjectId("n1"), ProjectId("s1")), district="north")
    assert validate_ballot(election, ok).ok
    assert [(r.code, r.project_id) for r in validate_ballot(election, wrong).reasons] == [("wrong-district", "s1")]
    assert [r.code for r in validate_ballot(election, Ballot("v3", (), district="east")).reasons] == ["wrong-district"]
    north = election.district_election("north")
    assert (north.budget, north.project_ids) == (60, ("n1",))
