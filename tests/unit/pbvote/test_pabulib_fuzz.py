"""Fuzzing the .pb reader: any text gives an election or a PabulibError naming a line, never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbvote.errors import PabulibError
from pbvote.pabulib import parse_pb, write_pb

VALID = """META
key;value
budget;1000
vote_type;cumulative
max_sum_points;10
PROJECTS
project_id;cost;name;category
1;400;"Park; pond";green,sport
2;700;Library;culture
3;300;Bench;green
VOTES
voter_id;vote;points;age
a;1,2;5,5;31
b;3;10;44
c;2,3;4,6;19
"""

# Hypothesis cannot take pytest's function-scoped fixtures, so the real files' folder is resolved here.
PABULIB = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pabulib"

TOKENS = [
    "META",
    "PROJECTS",
    "VOTES",
    "key;value",
    ";",
    ",",
    '"',
    "\n",
    "\r\n",
    "budget",
    "vote_type",
    "cost",
    "project_id",
    "voter_id",
    "vote",
    "points",
    "-1",
    "1.5",
    "ordinal",
    "approval",
    "1",
    "2",
    "x",
    "é",
    " ",
]


def parse_or_error(text: str) -> None:
    try:
        pb = parse_pb(text, source="fuzz.pb")
    except PabulibError as exc:
        error = exc
    else:
        # whatever parses must round-trip: the same projects, ballots and rules, and writing is a fixpoint
        # (the writer adds num_projects / num_votes where the input lacked them)
        again = parse_pb(write_pb(pb.election, pb.ballots))
        assert (again.election.projects, again.ballots) == (pb.election.projects, pb.ballots)
        assert (again.election.budget, again.election.ballot_rules) == (pb.election.budget, pb.election.ballot_rules)
        assert write_pb(again.election, again.ballots) == write_pb(pb.election, pb.ballots)
        return
    assert (error.source, error.line >= 0, str(error).startswith("fuzz.pb")) == ("fuzz.pb", True, True)


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    parse_or_error(text)


@settings(max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=80))
def test_token_soup(tokens):
    parse_or_error("".join(tokens))


@settings(max_examples=400, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_file(data):
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = data.draw(st.sampled_from(TOKENS))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + len(piece) :]
        else:
            text = text[:position] + piece + text[position + 1 :]
    parse_or_error(text)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["\x00", "\ufeff", ";;;;", '"unterminated', "\r"]))
def test_corrupted_real_file(position, junk):
    text = (PABULIB / "Netherlands_Assen_2024.pb").read_text(encoding="utf-8")
    position %= len(text)
    parse_or_error(text[:position] + junk + text[position:])


def test_valid_sample_parses():
    pb = parse_pb(VALID)
    assert [b.points for b in pb.ballots] == [(5, 5), (10,), (4, 6)]
