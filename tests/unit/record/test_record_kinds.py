"""Records of elections with districts and with points verify, and their particular fields are checked."""

from __future__ import annotations

import json

from pbvote.ballot import VoteType
from pbvote.canonical import canonical_bytes
from pbvote.election import BallotRules, Election
from pbvote.project import Project, ProjectId
from pbvote.record.ballot_lines import Channel, RecordBallot
from pbvote.record.definition import Official
from pbvote.record.manifest import public_key_bytes
from pbvote.record.reconciliation import ReconciliationEntry
from tally.options import RuleOptions
from tally.record import freeze, produce_record
from tally.verify import verify_record
from tests.unit.record.simulation import RULE_ID, officials_keys

P = ProjectId


def record(election, ballots, reconciliation=()):
    keys = officials_keys(7)
    officials = [Official(name, public_key_bytes(key)) for name, key in keys.items()]
    frozen = freeze(election, RULE_ID, RuleOptions(), officials)
    return produce_record(frozen, ballots, reconciliation, keys), frozen


def failed(files):
    return {r.number: r.failures for r in verify_record(files) if not r.passed}


def test_a_district_election_record_verifies_and_keeps_each_ballots_district():
    projects = (Project(P("n1"), 40, district="north"), Project(P("s1"), 30, district="south"))
    election = Election(100, projects, districts={"north": 60, "south": 40})
    ballots = [
        RecordBallot("a1", Channel.ONLINE, (P("n1"),), district="north"),
        RecordBallot("b2", Channel.KIOSK, (P("s1"),), source="K1", district="south"),
    ]
    files, _ = record(election, ballots, [ReconciliationEntry(Channel.KIOSK, "K1", 1, None, 1)])
    assert failed(files) == {}
    assert files["ballots.jsonl"].decode().splitlines()[1] == (
        '{"ballot_id":"b2","channel":"kiosk","district":"south","selections":["s1"],"source":"K1"}'
    )


def test_a_cumulative_record_verifies_and_a_changed_point_is_caught():
    projects = (Project(P("p1"), 50), Project(P("p2"), 50), Project(P("p3"), 50))
    rules = BallotRules(vote_type=VoteType.CUMULATIVE, max_sum_points=5)
    election = Election(100, projects, rules)
    ballots = [
        RecordBallot("a", Channel.ONLINE, (P("p2"), P("p1")), points=(3, 2)),
        RecordBallot("b", Channel.ONLINE, (P("p3"),), points=(5,)),
    ]
    files, frozen = record(election, ballots)
    assert failed(files) == {}
    assert files["ballots.jsonl"].decode().splitlines()[0] == (
        '{"ballot_id":"a","channel":"online","points":[2,3],"selections":["p1","p2"]}'
    )
    line = json.loads(files["ballots.jsonl"].decode().splitlines()[1])
    line["points"] = [6]  # over max_sum_points
    edited = {**files, "ballots.jsonl": files["ballots.jsonl"].replace(b'"points":[5]', b'"points":[6]')}
    assert canonical_bytes(line).decode() in edited["ballots.jsonl"].decode()
    failures = failed(edited)
    assert "ballots.jsonl line 2: 6 points given; at most 5" in failures[4]
    assert frozen.hash in files["result.json"].decode()
