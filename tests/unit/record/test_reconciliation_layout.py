"""Reconciliation arithmetic on hand-worked entries, rule options as JSON, and deterministic archives."""

from __future__ import annotations

import io
import zipfile

import pytest

from pbvote.errors import InvalidRuleOptions, RecordError
from pbvote.record.ballot_lines import Channel
from pbvote.record.layout import archive_bytes, files_from_archive, read_record, write_folder
from pbvote.record.reconciliation import (
    Difference,
    DoubleEntry,
    ReconciliationEntry,
    Spoiled,
    reconciliation_from_json,
    reconciliation_problems,
    reconciliation_to_json,
)
from pbvote.tiebreak import TieBreak
from tally.options import Completion, RuleOptions, Satisfaction
from tally.record import options_from_json, options_to_json


def kiosk(**changes):
    # 20 check-ins = 17 accepted + 2 spoiled + 1 voter who left: adds up
    fields = {
        "checkins": 20,
        "envelopes": None,
        "accepted": 17,
        "spoiled": (Spoiled("printer jam", 2),),
        "differences": (Difference(1, "left before casting"),),
    }
    return ReconciliationEntry(Channel.KIOSK, "K1", **{**fields, **changes})


def test_a_balanced_kiosk_has_no_problems():
    assert reconciliation_problems([kiosk()], {(Channel.KIOSK, "K1"): 17}) == []


def test_an_unexplained_difference_is_named():
    entry = kiosk(differences=())
    # 20 received = 17 accepted + 2 spoiled + 0 explained leaves 1 unexplained
    assert reconciliation_problems([entry], {(Channel.KIOSK, "K1"): 17}) == [
        "kiosk K1: 20 received = 17 accepted + 2 spoiled + 0 explained leaves 1 unexplained"
    ]


def test_more_ballots_than_checkins_and_a_count_mismatch_are_named():
    entry = kiosk(checkins=16, spoiled=(), differences=(Difference(-1, "unknown"),))
    assert reconciliation_problems([entry], {(Channel.KIOSK, "K1"): 18}) == [
        "kiosk K1: 17 ballots accepted, but ballots.jsonl holds 18",
        "kiosk K1: 17 ballots accepted exceed the 16 check-ins",
    ]


def test_paper_needs_envelopes_and_finished_double_entry():
    batch = ReconciliationEntry(Channel.PAPER, "B1", None, 10, 10, double_entry=DoubleEntry.PENDING)
    missing = ReconciliationEntry(Channel.PAPER, "B2", None, None, 0, double_entry=DoubleEntry.MATCHED)
    counted = {(Channel.PAPER, "B1"): 10, (Channel.PAPER, "B3"): 4}
    assert reconciliation_problems([batch, missing], counted) == [
        "paper B3 has 4 ballots and no reconciliation entry",
        "paper batch B1: double entry is pending, not matched or resolved",
        "paper batch B2: neither check-ins nor envelopes are recorded",
    ]


def test_reconciliation_json_round_trip_and_errors():
    data = reconciliation_to_json([kiosk()], "00")
    assert reconciliation_from_json(data) == [kiosk()]
    data["entries"][0]["accepted"] = -1
    with pytest.raises(ValueError, match=r"entries\[0\]: a count is negative"):
        reconciliation_from_json(data)


def test_options_round_trip_through_json():
    options = RuleOptions(Satisfaction.CARDINALITY, Completion.ADD1, comparison=True, tie_break=TieBreak(("lot:7",)))
    data = options_to_json(options)
    assert data["tie_break"] == "lot:7,id"
    assert data["completion"] == "add1"
    assert options_from_json(data) == options
    assert options_from_json(options_to_json(RuleOptions())) == RuleOptions()


@pytest.mark.parametrize(
    ("data", "message"),
    [({"colour": "red"}, "unknown rule option 'colour'"), ({"satisfaction": "joy"}, "satisfaction cannot be 'joy'")],
)
def test_bad_options_are_named(data, message):
    with pytest.raises(InvalidRuleOptions, match=message):
        options_from_json(data)


FILES = {"b.txt": b"two", "a.txt": b"one"}


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_archives_are_deterministic_and_round_trip(kind):
    data = archive_bytes(FILES, kind)
    assert data == archive_bytes(dict(reversed(FILES.items())), kind)
    assert files_from_archive(data) == FILES


def test_zip_entries_are_sorted_with_fixed_times():
    with zipfile.ZipFile(io.BytesIO(archive_bytes(FILES))) as archive:
        assert [i.filename for i in archive.infolist()] == ["a.txt", "b.txt"]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_folders_round_trip_and_bad_paths_are_errors(tmp_path):
    assert read_record(write_folder(FILES, tmp_path / "r")) == FILES
    with pytest.raises(RecordError, match="neither a zip nor a tar"):
        files_from_archive(b"plain text")
    (tmp_path / "r" / "sub").mkdir()
    with pytest.raises(RecordError, match="holds a folder 'sub'"):
        read_record(tmp_path / "r")
