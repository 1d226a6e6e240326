"""Verifying a published election record: numbered checks, each passing or naming the place of every failure.

1. every file's SHA-256 matches `MANIFEST.json`, and the manifest lists every file;
2. every official published in `election.json` signed the manifest with their key, and nobody else did;
3. `election.json` is canonical and its SHA-256, the election hash, is the one every other file quotes;
4. every line of `ballots.jsonl` is a canonical ballot, in `ballot_id` order without repeats, valid under the
   frozen ballot rules;
5. `ballots.jsonl`, `ballots.csv` and `ballots.pb` hold the same ballots (and the `.pb` file the same projects);
6. the Merkle roots and counts of `commitments.json` recompute, overall, per channel and per kiosk or batch;
7. `reconciliation.json` adds up and matches the ballots counted at each kiosk and batch;
8. rerunning the frozen rule with its frozen options on the ballots gives `result.json` byte for byte.

Needs no server and no database: only the record's files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pbvote.errors import PbvoteError, RecordError
from pbvote.record.ballot_lines import canonical_ballot, render_line
from pbvote.record.build import RECORD_FILES, result_bytes
from pbvote.record.manifest import signature_problems
from pbvote.validation import validate_ballot
from tally._verify_files import check_commitments, check_reconciliation, check_same_ballots, json_differences
from tally._verify_record import Record, load_record
from tally.record import rerun

__all__ = ["CHECKS", "CheckResult", "Record", "load_record", "verify_record"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one numbered check: passed when `failures` is empty; each failure names its place."""

    number: int
    title: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether the check passed."""
        return not self.failures


def check_manifest(record: Record) -> list[str]:
    """Check 1: the digests in `MANIFEST.json` against the files."""
    listed: Mapping[str, str] = record.json("MANIFEST.json")["files"]
    failures = [f"{name} is missing from the record" for name in RECORD_FILES if name not in record.files]
    for name, digest in sorted(listed.items()):
        if name in record.files:
            actual = hashlib.sha256(record.files[name]).hexdigest()
            if actual != digest:
                failures.append(f"{name}: SHA-256 is {actual}; MANIFEST.json says {digest}")
        elif name in RECORD_FILES:
            continue  # already reported as missing
        else:
            failures.append(f"MANIFEST.json lists {name}, which is not in the record")
    unlisted = sorted(set(record.files) - set(listed) - {"MANIFEST.json"})
    failures.extend(f"{name} is in the record but not in MANIFEST.json" for name in unlisted)
    return failures


def check_signatures(record: Record) -> list[str]:
    """Check 2: each published official's signature on the manifest."""
    if not record.frozen.officials:
        return ["election.json publishes no official keys, so nothing vouches for the record"]
    return signature_problems(record.json("MANIFEST.json"), record.frozen.officials)


def check_election_hash(record: Record) -> list[str]:
    """Check 3: `election.json` canonical, and its hash quoted by every file."""
    failures: list[str] = []
    if record.frozen.to_bytes() != record.files["election.json"]:
        failures.append("election.json is not canonical JSON of a frozen election (sorted keys, compact, no extras)")
    for name in ("MANIFEST.json", "commitments.json", "reconciliation.json", "result.json"):
        quoted = record.json(name).get("election_hash")
        if quoted != record.election_hash:
            failures.append(f"{name}: election_hash is {quoted}; election.json hashes to {record.election_hash}")
    meta = record.pb()[0].meta
    if meta.get("election_hash") != record.election_hash:
        quoted = meta.get("election_hash")
        failures.append(f"ballots.pb: META election_hash is {quoted}; election.json hashes to {record.election_hash}")
    return failures


def check_ballots(record: Record) -> list[str]:
    """Check 4: each line canonical, in order, unique and valid under the frozen rules."""
    election = record.frozen.election
    failures = list(record.line_errors)
    if record.files.get("ballots.jsonl", b"")[-1:] not in {b"", b"\n"}:
        failures.append("ballots.jsonl: the last line has no newline")
    seen: dict[str, int] = {}
    previous = ""
    for number, (line, ballot) in enumerate(zip(record.lines, record.ballots, strict=True), start=1):
        if ballot is None:
            continue
        where = f"ballots.jsonl line {number}"
        if render_line(canonical_ballot(ballot, election.vote_type)) != line:
            failures.append(f"{where}: not canonical (sorted keys and selections, compact JSON)")
        if ballot.ballot_id in seen:
            failures.append(f"{where}: ballot_id {ballot.ballot_id} repeats line {seen[ballot.ballot_id]}")
        elif ballot.ballot_id < previous:
            failures.append(f"{where}: ballot_id {ballot.ballot_id} is out of order (lines are sorted by ballot_id)")
        seen.setdefault(ballot.ballot_id, number)
        previous = max(previous, ballot.ballot_id)
        for reason in validate_ballot(election, ballot.to_ballot()).reasons:
            project = f", project {reason.project_id}" if reason.project_id else ""
            failures.append(f"{where}{project}: {reason.message}")
    return failures


def check_rerun(record: Record) -> list[str]:
    """Check 8: the frozen rule, rerun, reproduces `result.json` byte for byte."""
    if record.line_errors:
        return ["cannot rerun the rule: ballots.jsonl has unreadable lines (see check 4)"]
    try:
        allocation = rerun(record.frozen, [b.to_ballot() for b in record.counted()])
    except (PbvoteError, KeyError, ValueError) as exc:  # KeyError: a ballot names an unknown project (check 4)
        return [f"cannot rerun rule {record.frozen.rule!r}: {exc!s}"]
    expected = result_bytes(record.frozen, allocation.to_json_value())
    if expected == record.files.get("result.json"):
        return []
    differences = json_differences(record.json("result.json"), json.loads(expected), "result.json")
    return differences or ["result.json: the same values, but not in canonical form"]


CHECKS: tuple[tuple[str, Callable[[Record], list[str]]], ...] = (
    ("every file's SHA-256 matches MANIFEST.json", check_manifest),
    ("MANIFEST.json is signed by every official published at opening", check_signatures),
    ("the election hash of election.json is quoted everywhere", check_election_hash),
    ("every ballot is canonical, unique, in order and valid under the frozen rules", check_ballots),
    ("ballots.jsonl, ballots.csv and ballots.pb hold the same ballots", check_same_ballots),
    ("the Merkle roots and counts of commitments.json recompute", check_commitments),
    ("reconciliation.json adds up and matches the ballots", check_reconciliation),
    ("rerunning the rule gives result.json byte for byte", check_rerun),
)
"""The checks in order; check `n` is `CHECKS[n - 1]`."""


def verify_record(files: Mapping[str, bytes]) -> list[CheckResult]:
    """Run every check on a record's files.

    Raises:
        RecordError: when `election.json` cannot be read, so no check can run.
    """
    record = load_record(files)
    results: list[CheckResult] = []
    for number, (title, check) in enumerate(CHECKS, start=1):
        try:
            failures = check(record)
        except (RecordError, KeyError, TypeError, ValueError, AttributeError) as exc:
            detail = f"a required field {exc.args[0]!r} is missing" if isinstance(exc, KeyError) else str(exc)
            failures = [detail]
        results.append(CheckResult(number, title, tuple(failures)))
    return results
