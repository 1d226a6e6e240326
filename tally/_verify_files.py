"""Checks 5 to 7 of `tally.verify`: the ballot files agree, the commitments recompute, the reconciliation adds up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pbvote.ballot import VoteType
from pbvote.election import Election
from pbvote.record.ballot_lines import Channel, RecordBallot, canonical_ballot, parse_csv
from pbvote.record.commitments import commitments_to_json
from pbvote.record.merkle import merkle_root
from pbvote.record.reconciliation import reconciliation_from_json, reconciliation_problems
from tally._verify_record import Record

__all__ = ["check_commitments", "check_reconciliation", "check_same_ballots", "json_differences"]

_MAX_DIFFERENCES = 20


def json_differences(recorded: object, expected: object, where: str) -> list[str]:
    """Where two JSON values differ, as `file path: recorded ...; recomputed ...` (at most twenty places)."""
    differences: list[str] = []
    _walk(recorded, expected, where, differences)
    if len(differences) > _MAX_DIFFERENCES:
        extra = len(differences) - _MAX_DIFFERENCES
        differences = [*differences[:_MAX_DIFFERENCES], f"{where}: ... and {extra} more differences"]
    return differences


def _walk(recorded: object, expected: object, path: str, out: list[str]) -> None:
    if isinstance(recorded, dict) and isinstance(expected, dict):
        for key in sorted(set(recorded) | set(expected)):
            sub = (
                f"{path}.{key}" if "." in path.removesuffix(".json") or not path.endswith(".json") else f"{path} {key}"
            )
            if key not in recorded:
                out.append(f"{sub}: missing; recomputed {_short(expected[key])}")
            elif key not in expected:
                out.append(f"{sub}: recorded {_short(recorded[key])}; nothing is recomputed there")
            else:
                _walk(recorded[key], expected[key], sub, out)
    elif isinstance(recorded, list) and isinstance(expected, list) and len(recorded) == len(expected):
        for i, (a, b) in enumerate(zip(recorded, expected, strict=True)):
            _walk(a, b, f"{path}[{i}]", out)
    elif recorded != expected or type(recorded) is not type(expected):
        out.append(f"{path}: recorded {_short(recorded)}; recomputed {_short(expected)}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."  # noqa: PLR2004 -- message width


def check_same_ballots(record: Record) -> list[str]:
    """Check 5: `ballots.csv` and `ballots.pb` hold the ballots of `ballots.jsonl`, line for line."""
    vote_type = record.frozen.election.vote_type
    reference = [(n, b) for n, b in enumerate(record.ballots, start=1) if b is not None]
    failures: list[str] = []
    csv_rows = parse_csv(record.files["ballots.csv"].decode("utf-8"))
    failures += _compare("ballots.csv line", csv_rows, reference, vote_type)
    pb_election, pb_ballots = record.pb()
    pb_rows = list(enumerate(pb_ballots, start=1))
    failures += _compare("ballots.pb VOTES row", pb_rows, reference, vote_type)
    failures += _compare_projects(record, pb_election)
    return failures


def _compare(
    where: str,
    rows: Sequence[tuple[int, RecordBallot]],
    reference: Sequence[tuple[int, RecordBallot]],
    vote_type: VoteType,
) -> list[str]:
    """Match rows to `ballots.jsonl` lines by `ballot_id`; name each missing, extra, differing or misplaced one."""
    name = where.split(maxsplit=1)[0]
    failures: list[str] = []
    if len(rows) != len(reference):
        failures.append(f"{name} holds {len(rows)} ballots; ballots.jsonl holds {len(reference)}")
    by_id: dict[str, tuple[int, RecordBallot]] = {}
    for line, ballot in reference:
        by_id.setdefault(ballot.ballot_id, (line, ballot))
    for number, ballot in rows:
        if ballot.ballot_id not in by_id:
            failures.append(f"{where} {number}: ballot_id {ballot.ballot_id} is not in ballots.jsonl")
            continue
        line, expected = by_id[ballot.ballot_id]
        if canonical_ballot(ballot, vote_type) != expected:
            failures.append(
                f"{where} {number} (ballot_id {ballot.ballot_id}) differs from ballots.jsonl line {line}:"
                f" {_ballot_text(ballot)} vs {_ballot_text(expected)}"
            )
    present = {b.ballot_id for _, b in rows}
    failures += [
        f"{name} lacks ballot_id {b.ballot_id} of ballots.jsonl line {line}"
        for line, b in reference
        if b.ballot_id not in present
    ]
    if not failures:
        for (number, ballot), (_, expected) in zip(rows, reference, strict=True):
            if ballot.ballot_id != expected.ballot_id:
                failures.append(f"{where} {number}: ballot_id {ballot.ballot_id} is out of the order of ballots.jsonl")
                break
    return failures[:_MAX_DIFFERENCES]


def _ballot_text(ballot: RecordBallot) -> str:
    points = f" points {list(ballot.points)}" if ballot.points else ""
    source = f"/{ballot.source}" if ballot.source else ""
    return f"{ballot.channel}{source} {list(ballot.selections)}{points}"


def _compare_projects(record: Record, pb_election: Election) -> list[str]:
    recorded = {p.id: p.cost for p in pb_election.projects}
    expected = {p.id: p.cost for p in record.frozen.election.projects}
    failures = [
        f"ballots.pb project {pid}: cost {recorded.get(pid)}; election.json says {cost}"
        for pid, cost in expected.items()
        if recorded.get(pid) != cost
    ]
    failures += [f"ballots.pb project {pid} is not in election.json" for pid in recorded if pid not in expected]
    if pb_election.budget != record.frozen.election.budget:
        failures.append(f"ballots.pb: budget {pb_election.budget}; election.json says {record.frozen.election.budget}")
    return failures


def check_commitments(record: Record) -> list[str]:
    """Check 6: the roots and counts, overall, per channel and per kiosk or batch, from the ballot lines."""
    failures = ["cannot place unreadable lines in their channel (see check 4)"] if record.line_errors else []
    ballots = record.counted()
    lines = [line for line, b in zip(record.lines, record.ballots, strict=True) if b is not None]
    expected = commitments_to_json(lines, ballots, record.election_hash)
    if record.line_errors:
        raw = [line.encode("utf-8") for line in record.lines]
        expected["ballots"] = {"count": len(raw), "root": merkle_root(raw).hex()}
    expected["election_hash"] = record.json("commitments.json").get("election_hash")  # check 3 compares it
    return failures + json_differences(record.json("commitments.json"), expected, "commitments.json")


def check_reconciliation(record: Record) -> list[str]:
    """Check 7: each kiosk and batch adds up, and its accepted ballots are those in `ballots.jsonl`."""
    entries = reconciliation_from_json(record.json("reconciliation.json"))
    counted: Counter[tuple[Channel, str | None]] = Counter((b.channel, b.source) for b in record.counted())
    return [f"reconciliation.json, {problem}" for problem in reconciliation_problems(entries, counted)]
