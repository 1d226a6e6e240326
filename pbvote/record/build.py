"""Building a record: the files of the published election record as a mapping from file name to bytes.

Pure: no clock, no randomness (Ed25519 signatures are deterministic), so the same inputs give the same bytes.
`tally.record.produce_record` runs the rule and calls `build_record`; `pbvote.record.layout` writes the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pbvote.canonical import JsonValue, canonical_bytes
from pbvote.project import ProjectId
from pbvote.record.ballot_lines import RecordBallot, published_order, render_csv, render_line, render_pb
from pbvote.record.commitments import commitments_to_json
from pbvote.record.definition import FrozenElection
from pbvote.record.manifest import manifest_body, sign
from pbvote.record.reconciliation import ReconciliationEntry, reconciliation_to_json
from pbvote.validation import validate_ballot

__all__ = ["RECORD_FILES", "build_record", "record_files", "result_bytes"]

RECORD_FILES = (
    "MANIFEST.json",
    "ballots.csv",
    "ballots.jsonl",
    "ballots.pb",
    "commitments.json",
    "election.json",
    "reconciliation.json",
    "result.json",
)
"""Every file of a record, sorted; `MANIFEST.json` lists the digests of all the others."""


def build_record(
    frozen: FrozenElection,
    ballots: Sequence[RecordBallot],
    reconciliation: Sequence[ReconciliationEntry],
    result: Mapping[str, JsonValue],
    keys: Mapping[str, Ed25519PrivateKey],
) -> dict[str, bytes]:
    """The record's files, `MANIFEST.json` signed by every official.

    Args:
        frozen: the definition, rule, options and officials frozen when voting opened.
        ballots: every counted ballot, in any order.
        reconciliation: one entry per kiosk and paper batch (and optionally online).
        result: the allocation as `tally.allocation.Allocation.to_json_value()` gives it.
        keys: each official's Ed25519 private key, by official name.

    Raises:
        ValueError: when a ballot is invalid under the frozen rules, two ballots share an id, the result names an
            unknown project, or a key does not match its official's published key.
    """
    files = record_files(frozen, ballots, reconciliation, result)
    manifest = sign(manifest_body(files, frozen.hash), frozen.officials, keys)
    files["MANIFEST.json"] = canonical_bytes(manifest)
    return dict(sorted(files.items()))


def record_files(
    frozen: FrozenElection,
    ballots: Sequence[RecordBallot],
    reconciliation: Sequence[ReconciliationEntry],
    result: Mapping[str, JsonValue],
) -> dict[str, bytes]:
    """Every file of the record but `MANIFEST.json`, which officials sign over these (`manifest.manifest_body`).

    Raises:
        ValueError: as `build_record`.
    """
    election, election_hash = frozen.election, frozen.hash
    ordered = published_order(ballots, election.vote_type)
    for ballot in ordered:
        check = validate_ballot(election, ballot.to_ballot())
        if not check.ok:
            raise ValueError(f"ballot {ballot.ballot_id}: {'; '.join(r.message for r in check.reasons)}")
    lines = [render_line(b) for b in ordered]
    files = {
        "election.json": frozen.to_bytes(),
        "ballots.jsonl": "".join(f"{line}\n" for line in lines).encode("utf-8"),
        "ballots.csv": render_csv(ordered).encode("utf-8"),
        "ballots.pb": render_pb(election, ordered, election_hash).encode("utf-8"),
        "commitments.json": canonical_bytes(commitments_to_json(lines, ordered, election_hash)),
        "reconciliation.json": canonical_bytes(reconciliation_to_json(reconciliation, election_hash)),
        "result.json": result_bytes(frozen, result),
    }
    return dict(sorted(files.items()))


def result_bytes(frozen: FrozenElection, result: Mapping[str, Any]) -> bytes:
    """`result.json`: the election hash, the allocation, and the selection in order with running cost.

    Raises:
        ValueError: when the allocation selects a project that is not in the election.
    """
    running = 0
    selection: list[JsonValue] = []
    for project_id in result["selected"]:
        if not frozen.election.has_project(project_id):
            raise ValueError(f"the result selects {project_id!r}, which is not in the election")
        cost = frozen.election.project(ProjectId(project_id)).cost
        running += cost
        selection.append({"project": project_id, "cost": cost, "running_cost": running})
    return canonical_bytes({"election_hash": frozen.hash, "allocation": dict(result), "selection": selection})
