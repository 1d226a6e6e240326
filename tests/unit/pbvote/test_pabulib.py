"""The .pb reader and writer on real files and on broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbvote.ballot import VoteType
from pbvote.errors import PabulibError
from pbvote.pabulib import parse_pb, read_pb, write_pb

GOOD = """META
key;value
budget;100
vote_type;approval
min_length;1
max_length;2
PROJECTS
project_id;cost;name;category
p1;60;"Park; with a pond";green,sport
p2;50;Bench;green
VOTES
voter_id;vote;age
v1;p1,p2;30
v2;p2;41
"""


def test_reads_quoted_fields_lists_and_voter_fields():
    pb = parse_pb(GOOD)
    p1 = pb.election.project(pb.election.project_ids[0])
    assert p1.name == "Park; with a pond"
    assert p1.category == ("green", "sport")
    assert pb.election.ballot_rules.max_length == 2
    assert [b.selections for b in pb.ballots] == [("p1", "p2"), ("p2",)]
    assert pb.ballots[1].fields == {"age": "41"}


def test_columns_in_any_order():
    text = (
        GOOD.replace("project_id;cost;name;category", "name;category;cost;project_id")
        .replace('p1;60;"Park; with a pond";green,sport', '"Park; with a pond";green,sport;60;p1')
        .replace("p2;50;Bench;green", "Bench;green;50;p2")
    )
    assert parse_pb(text).election == parse_pb(GOOD).election


@pytest.mark.parametrize(
    ("broken", "line", "cause"),
    [
        (GOOD.replace("v2;p2;41", "v2;p9;41"), 14, "'p9' is not on this ballot"),
        (GOOD.replace("v2;p2;41", "v1;p2;41"), 14, "already used on line 13"),
        (GOOD.replace("p2;50;Bench", "p2;50.5;Bench"), 10, "cost '50.5' is not an integer"),
        (GOOD.replace("v1;p1,p2;30", "v1;;30"), 13, "at least 1 are required"),
        (GOOD.replace("v1;p1,p2;30", "v1;p1,p2,p2;30"), 13, "chosen twice"),
        (GOOD.replace("budget;100", "budget;ten"), 3, "META budget"),
        (GOOD.replace("v2;p2;41", "v2;p2"), 14, "has 2 fields; the header has 3"),
    ],
)
def test_malformed_files_name_line_and_cause(broken, line, cause):
    with pytest.raises(PabulibError) as info:
        parse_pb(broken, source="x.pb")
    assert info.value.line == line
    assert cause in str(info.value)
    assert str(info.value).startswith(f"x.pb:{line}: ")


def test_missing_section():
    with pytest.raises(PabulibError, match="missing section VOTES"):
        parse_pb(GOOD.split("VOTES", maxsplit=1)[0])


def test_real_files_round_trip(pabulib_dir: Path):
    files = sorted(pabulib_dir.glob("*.pb"))
    assert len(files) >= 6
    for path in files:
        pb = read_pb(str(path))
        assert len(pb.ballots) == int(pb.election.meta["num_votes"])
        assert len(pb.election.projects) == int(pb.election.meta["num_projects"])
        again = parse_pb(write_pb(pb.election, pb.ballots))
        assert again == pb, path.name


def test_real_vote_types(pabulib_dir: Path):
    krakow = read_pb(str(pabulib_dir / "Poland_Krakow_2020.pb"))
    assert krakow.election.vote_type is VoteType.ORDINAL
    assert krakow.ballots[0].selections == ("98", "8", "134")
    czest = read_pb(str(pabulib_dir / "Poland_Czestochowa_2024.pb"))
    assert czest.election.vote_type is VoteType.CUMULATIVE
    assert czest.ballots[0].points == (10,)


def test_counts_must_match_rows():
    with pytest.raises(PabulibError, match="META num_votes says 3; VOTES has 2 rows") as info:
        parse_pb(GOOD.replace("budget;100", "budget;100\nnum_votes;3"))
    assert info.value.line == 4


def test_control_characters_refused_with_line():
    with pytest.raises(PabulibError, match="control character") as info:
        parse_pb(GOOD.replace("Bench", "Be\x00nch"))
    assert info.value.line == 10
