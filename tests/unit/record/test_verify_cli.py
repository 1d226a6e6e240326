"""`pbvote verify` on records written to disk: a folder, an archive, a tampered folder, an unreadable path."""

from __future__ import annotations

import json

import pytest

from api.cli import main
from pbvote.canonical import canonical_bytes
from pbvote.record.layout import archive_bytes, write_folder
from tests.unit.record.simulation import Simulation, resign


def test_verify_passes_an_untouched_record_folder(sim: Simulation, tmp_path, capsys):
    folder = write_folder(sim.files, tmp_path / "record")
    assert main(["verify", str(folder)]) == 0
    out = capsys.readouterr().out
    assert [line[:8] for line in out.splitlines() if line.startswith("[")] == [f"[{n}] PASS" for n in range(1, 9)]
    assert f"election_hash {sim.frozen.hash}" in out
    assert "8 of 8 checks passed" in out


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_verify_reads_archives(sim: Simulation, tmp_path, capsys, kind):
    path = tmp_path / f"record.{kind}"
    path.write_bytes(archive_bytes(sim.files, kind))
    assert main(["verify", str(path)]) == 0
    assert "8 of 8 checks passed" in capsys.readouterr().out


def test_verify_fails_a_tampered_folder_naming_check_and_place(sim: Simulation, tmp_path, capsys):
    reconciliation = json.loads(sim.files["reconciliation.json"])
    batch = next(e for e in reconciliation["entries"] if e["source"] == "B2")
    batch["envelopes"] = 17  # 18 ballots accepted from 17 envelopes
    folder = write_folder(resign(sim, {**sim.files, "reconciliation.json": canonical_bytes(reconciliation)}), tmp_path)
    assert main(["verify", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "[7] FAIL  reconciliation.json adds up and matches the ballots" in out
    assert "reconciliation.json, paper batch B2: 18 ballots accepted exceed the 17 envelopes" in out
    assert "7 of 8 checks passed; failed: [7]" in out


def test_verify_fails_an_edited_ballot_file_at_check_1(sim: Simulation, tmp_path, capsys):
    folder = write_folder(sim.files, tmp_path)
    (folder / "ballots.csv").write_bytes(sim.files["ballots.csv"].replace(b"p3", b"p4", 1))
    assert main(["verify", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "[1] FAIL" in out
    assert "      ballots.csv: SHA-256 is " in out
    assert "[5] FAIL" in out


def test_an_unreadable_record_exits_2_with_one_line(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pbvote verify: cannot read the record: ")


def test_a_record_without_election_json_exits_2(sim: Simulation, tmp_path, capsys):
    folder = write_folder({k: v for k, v in sim.files.items() if k != "election.json"}, tmp_path)
    assert main(["verify", str(folder)]) == 2
    assert capsys.readouterr().err == "pbvote verify: cannot read the record: the record has no election.json\n"


def test_receipt_prints_the_line_and_a_verified_proof(sim: Simulation, tmp_path, capsys):
    ballot_id, code = next(iter(sim.codes.items()))
    folder = write_folder(sim.files, tmp_path)
    assert main(["verify", str(folder), "--receipt", code]) == 0
    out = capsys.readouterr().out
    line = next(line for line in sim.files["ballots.jsonl"].decode().splitlines() if ballot_id in line)
    assert f": {line}\n" in out
    assert "receipt PASS  included under the published root" in out


def test_an_unknown_receipt_fails(sim: Simulation, tmp_path, capsys):
    folder = write_folder(sim.files, tmp_path)
    assert main(["verify", str(folder), "--receipt", "0000-0000-0000"]) == 1
    assert "receipt FAIL  no line of ballots.jsonl holds the ballot" in capsys.readouterr().out


def test_a_malformed_receipt_code_exits_2(sim: Simulation, tmp_path, capsys):
    folder = write_folder(sim.files, tmp_path)
    assert main(["verify", str(folder), "--receipt", "not-a-code!"]) == 2
    assert "the receipt code holds" in capsys.readouterr().err
