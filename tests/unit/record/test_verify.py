"""Tamper tests: each change to a simulated election's record is caught by the check that names it.

Two ways to tamper: an outsider edits a file (the manifest digests catch it, check 1), and an insider who holds
the officials' keys edits a file and re-signs the manifest (a content check must catch it). The insider variant
lists, for each change, the checks that must fail and those that may also fail (the rerun, when the change alters
the outcome); every other check must pass.
"""

from __future__ import annotations

import json

import pytest

from pbvote.canonical import canonical_bytes
from pbvote.record.receipts import find_receipt, receipt_ballot_id
from tally.record import produce_record
from tally.registry import RULES
from tally.verify import verify_record
from tests.unit.record.simulation import Simulation, resign, simulate


def lines_of(files):
    return files["ballots.jsonl"].decode().splitlines()


def with_lines(files, lines):
    return {**files, "ballots.jsonl": "".join(f"{line}\n" for line in lines).encode()}


def change_selection(files):
    lines = lines_of(files)
    ballot = json.loads(lines[10])
    unused = next(f"p{i}" for i in range(1, 11) if f"p{i}" not in ballot["selections"])
    ballot["selections"] = sorted([unused, *ballot["selections"][1:]], key=lambda p: int(p[1:]))
    lines[10] = canonical_bytes(ballot).decode()
    return with_lines(files, lines)


def drop_ballot(files):
    lines = lines_of(files)
    return with_lines(files, lines[:20] + lines[21:])


def add_ballot(files):
    extra = {"ballot_id": "7" * 64, "channel": "paper", "selections": ["p1"], "source": "B1"}
    lines = sorted([*lines_of(files), canonical_bytes(extra).decode()])
    return with_lines(files, lines)


def duplicate_ballot(files):
    lines = lines_of(files)
    return with_lines(files, [*lines[:31], lines[30], *lines[31:]])


def change_cost(files):
    election = json.loads(files["election.json"])
    election["projects"][1]["cost"] += 1000
    return {**files, "election.json": canonical_bytes(election)}


def edit_result(files):
    result = json.loads(files["result.json"])
    result["allocation"]["selected"].reverse()
    return {**files, "result.json": canonical_bytes(result)}


def reorder_lines(files):
    lines = lines_of(files)
    lines[3], lines[4] = lines[4], lines[3]
    return with_lines(files, lines)


def swap_signatures(files):
    manifest = json.loads(files["MANIFEST.json"])
    first, second = manifest["signatures"]
    first["signature"], second["signature"] = second["signature"], first["signature"]
    return {**files, "MANIFEST.json": canonical_bytes(manifest)}


# (tamper, file it edits, checks that must fail, checks that may also fail, text the first must-fail check shows)
INSIDER = [
    (change_selection, "ballots.jsonl", {5, 6}, {8}, "ballots.csv line 12 (ballot_id"),
    (drop_ballot, "ballots.jsonl", {5, 6, 7}, {8}, "ballots.csv line 22: ballot_id {line_21} is not in ballots.jsonl"),
    (add_ballot, "ballots.jsonl", {5, 6, 7}, {8}, f"ballots.csv lacks ballot_id {'7' * 64} of ballots.jsonl line"),
    (duplicate_ballot, "ballots.jsonl", {4, 5, 6, 7}, {8}, "ballots.jsonl line 32: ballot_id"),
    (change_cost, "election.json", {3, 5}, {8}, "election.json hashes to"),
    (edit_result, "result.json", {8}, set(), "result.json allocation.selected"),
    (reorder_lines, "ballots.jsonl", {4, 5, 6}, set(), "ballots.jsonl line 5: ballot_id"),
]


def failed(results):
    return {r.number: r.failures for r in results if not r.passed}


def test_untouched_record_passes_every_check(sim: Simulation):
    results = verify_record(sim.files)
    assert [r.number for r in results] == list(range(1, 9))
    assert failed(results) == {}


@pytest.mark.parametrize("case", INSIDER, ids=lambda case: case[0].__name__)
def test_outsider_tampering_breaks_the_manifest(sim: Simulation, case):
    tamper, name, _, _, _ = case
    failures = failed(verify_record(tamper(sim.files)))
    assert 1 in failures
    assert any(f.startswith(f"{name}: SHA-256 is ") for f in failures[1]), failures[1]


@pytest.mark.parametrize("case", INSIDER, ids=lambda case: case[0].__name__)
def test_insider_tampering_is_caught_by_the_check_that_names_it(sim: Simulation, case):
    tamper, _, must, may, place = case
    place = place.format(line_21=json.loads(lines_of(sim.files)[20])["ballot_id"])
    failures = failed(verify_record(resign(sim, tamper(sim.files))))
    assert must <= set(failures) <= must | may, failures
    assert any(place in f for f in failures[min(must)]), failures[min(must)]


def test_swapped_signatures_fail_check_2_only(sim: Simulation):
    failures = failed(verify_record(swap_signatures(sim.files)))
    assert set(failures) == {2}
    assert failures[2][0].startswith("MANIFEST.json signatures[0] (alice): the signature does not verify")


def test_a_cost_change_names_the_project_in_the_pb_file(sim: Simulation):
    failures = failed(verify_record(resign(sim, change_cost(sim.files))))
    assert any(f.startswith("ballots.pb project p2: cost") for f in failures[5]), failures[5]


def test_a_ballot_over_the_length_limit_is_named_with_its_line(sim: Simulation):
    lines = lines_of(sim.files)
    ballot = json.loads(lines[7])
    ballot["selections"] = [f"p{i}" for i in range(1, 6)]  # max_length is 4
    lines[7] = canonical_bytes(ballot).decode()
    failures = failed(verify_record(resign(sim, with_lines(sim.files, lines))))
    assert "ballots.jsonl line 8: 5 projects chosen; at most 4 are allowed" in failures[4]


def test_a_non_canonical_line_is_named(sim: Simulation):
    lines = lines_of(sim.files)
    lines[2] = lines[2].replace('"channel":', '"channel": ')
    failures = failed(verify_record(resign(sim, with_lines(sim.files, lines))))
    assert failures[4] == ("ballots.jsonl line 3: not canonical (sorted keys and selections, compact JSON)",)


def test_an_unbalanced_reconciliation_is_named(sim: Simulation):
    reconciliation = json.loads(sim.files["reconciliation.json"])
    kiosk = next(e for e in reconciliation["entries"] if e["source"] == "K2")
    kiosk["checkins"] = 11  # 12 ballots accepted from 11 check-ins
    files = resign(sim, {**sim.files, "reconciliation.json": canonical_bytes(reconciliation)})
    failures = failed(verify_record(files))
    assert set(failures) == {7}
    assert "reconciliation.json, kiosk K2: 12 ballots accepted exceed the 11 check-ins" in failures[7]


def test_an_unknown_file_and_a_missing_file_are_named(sim: Simulation):
    files = {**sim.files, "notes.txt": b"hello"}
    del files["ballots.csv"]
    assert failed(verify_record(files))[1] == (
        "ballots.csv is missing from the record",
        "notes.txt is in the record but not in MANIFEST.json",
    )


def test_two_independent_builds_are_byte_identical(sim: Simulation):
    again = simulate()
    shuffled = produce_record(again.frozen, list(reversed(again.ballots)), again.reconciliation, again.keys)
    assert shuffled["result.json"] == sim.files["result.json"]
    assert shuffled["ballots.jsonl"] == sim.files["ballots.jsonl"]
    assert shuffled == dict(sim.files)


def test_the_outcome_is_greedy_by_approvals_applied_to_the_ballots(sim: Simulation):
    # independent count from the ballots as generated: most approvals first, cheaper first on a tie, skip what
    # no longer fits the budget of 150,000
    support = {p.id: 0 for p in sim.frozen.election.projects}
    for ballot in sim.ballots:
        for project in set(ballot.selections):
            support[project] += 1
    expected, spent = [], 0
    for project in sorted(sim.frozen.election.projects, key=lambda p: (-support[p.id], p.cost)):
        if spent + project.cost <= 150_000:
            expected.append(project.id)
            spent += project.cost
    result = json.loads(sim.files["result.json"])
    assert result["allocation"]["selected"] == expected
    running = [sum(sim.frozen.election.project(p).cost for p in expected[: i + 1]) for i in range(len(expected))]
    assert [item["running_cost"] for item in result["selection"]] == running
    assert result["allocation"]["total_cost"] == spent


def test_every_receipt_finds_its_line_with_a_proof(sim: Simulation):
    root = json.loads(sim.files["commitments.json"])["ballots"]["root"]
    lines = lines_of(sim.files)
    for ballot_id, code in list(sim.codes.items())[::9]:
        proof = find_receipt(lines, root, sim.frozen.hash, code.lower())
        assert proof is not None
        assert proof.verified
        assert json.loads(proof.line)["ballot_id"] == ballot_id == receipt_ballot_id(sim.frozen.hash, code)
        assert lines[proof.line_number - 1] == proof.line


def test_a_receipt_against_a_wrong_root_does_not_verify(sim: Simulation):
    code = next(iter(sim.codes.values()))
    proof = find_receipt(lines_of(sim.files), "00" * 32, sim.frozen.hash, code)
    assert proof is not None
    assert not proof.verified


def test_an_unknown_receipt_finds_nothing(sim: Simulation):
    assert find_receipt(lines_of(sim.files), "00" * 32, sim.frozen.hash, "ZZZZ-ZZZZ") is None


def test_an_unknown_rule_fails_the_rerun_with_its_name(sim: Simulation, monkeypatch):
    monkeypatch.delitem(RULES, sim.frozen.rule)
    failures = failed(verify_record(sim.files))
    assert set(failures) == {8}
    assert failures[8][0].startswith(f"cannot rerun rule {sim.frozen.rule!r}: unknown rule")
