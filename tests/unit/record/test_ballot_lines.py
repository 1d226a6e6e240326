"""Ballot lines, and the CSV and pabulib renderings, on hand-written ballots."""

from __future__ import annotations

import pytest

from pbvote.ballot import VoteType
from pbvote.election import BallotRules, Election
from pbvote.errors import RecordError
from pbvote.project import Project, ProjectId
from pbvote.record.ballot_lines import (
    Channel,
    RecordBallot,
    canonical_ballot,
    parse_csv,
    parse_line,
    parse_pb_ballots,
    published_order,
    render_csv,
    render_line,
    render_pb,
)

P = ProjectId


def test_a_line_is_canonical_json_with_natural_order_selections():
    ballot = RecordBallot("b1", Channel.PAPER, (P("p10"), P("p2")), source="B1")
    line = render_line(canonical_ballot(ballot, VoteType.APPROVAL))
    assert line == '{"ballot_id":"b1","channel":"paper","selections":["p2","p10"],"source":"B1"}'
    assert parse_line(line, 1) == canonical_ballot(ballot, VoteType.APPROVAL)


def test_points_follow_their_projects_and_ordinal_keeps_the_ranking():
    ballot = RecordBallot("b2", Channel.ONLINE, (P("c"), P("a")), points=(3, 1), district="north")
    assert render_line(canonical_ballot(ballot, VoteType.CUMULATIVE)) == (
        '{"ballot_id":"b2","channel":"online","district":"north","points":[1,3],"selections":["a","c"]}'
    )
    ranked = RecordBallot("b3", Channel.ONLINE, (P("c"), P("a")))
    assert canonical_ballot(ranked, VoteType.ORDINAL).selections == ("c", "a")


def test_channel_and_source_must_agree():
    with pytest.raises(ValueError, match="a online ballot needs no source"):
        RecordBallot("b", Channel.ONLINE, (), source="K1")
    with pytest.raises(ValueError, match="a kiosk ballot needs a source"):
        RecordBallot("b", Channel.KIOSK, ())


def test_published_order_sorts_by_id_and_refuses_repeats():
    a, b = RecordBallot("b", Channel.ONLINE, ()), RecordBallot("a", Channel.ONLINE, ())
    assert [x.ballot_id for x in published_order([a, b], VoteType.APPROVAL)] == ["a", "b"]
    with pytest.raises(ValueError, match="share the ballot_id a"):
        published_order([b, b], VoteType.APPROVAL)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "ballots.jsonl line 7: "),
        ("[1]", "ballots.jsonl line 7: the line is not a JSON object"),
        ('{"ballot_id":"x","channel":"online"}', "ballots.jsonl line 7: no 'selections' field"),
        ('{"ballot_id":"x","channel":"mail","selections":[]}', "ballots.jsonl line 7: 'mail' is not a valid Channel"),
        ('{"ballot_id":"x","channel":"online","selections":[1]}', "selections must be a list of project ids"),
    ],
)
def test_bad_lines_are_named(line, message):
    with pytest.raises(RecordError, match=message.replace("(", r"\(")):
        parse_line(line, 7)


def test_csv_round_trip_and_errors():
    ballots = [
        RecordBallot("a", Channel.KIOSK, (P("p1"), P("p2")), points=(2, 1), source="K1"),
        RecordBallot("b", Channel.ONLINE, ()),
    ]
    text = render_csv(ballots)
    assert text.splitlines()[:2] == ["ballot_id,channel,source,district,selections,points", 'a,kiosk,K1,,"p1,p2","2,1"']
    assert [b for _, b in parse_csv(text)] == ballots
    with pytest.raises(RecordError, match=r"ballots\.csv line 4: 5 cells"):
        parse_csv(text + "c,online,,,\n")


def test_pb_round_trip_carries_the_election_hash():
    election = Election(100, (Project(P("p1"), 60), Project(P("p2"), 50)), BallotRules(max_length=2))
    ballots = [
        RecordBallot("a", Channel.PAPER, (P("p1"),), source="B1"),
        RecordBallot("b", Channel.ONLINE, (P("p1"), P("p2"))),
    ]
    pb_election, back = parse_pb_ballots(render_pb(election, ballots, "ab" * 32))
    assert pb_election.meta["election_hash"] == "ab" * 32
    assert back == ballots


def test_pb_errors_name_the_line():
    election = Election(100, (Project(P("p1"), 60),))
    text = render_pb(election, [RecordBallot("a", Channel.ONLINE, (P("p1"),))], "00").replace("a;p1", "a;p9")
    with pytest.raises(RecordError, match=r"ballots\.pb:\d+: vote of voter 'a'"):
        parse_pb_ballots(text)
