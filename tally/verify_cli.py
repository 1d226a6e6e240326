"""`pbvote verify RECORD [--receipt CODE]`: check a published election record, offline.

Prints each numbered check as PASS or FAIL with the place of every failure, then, given a receipt code, the
ballot's line and its Merkle inclusion proof against the published root. Exit status: 0 when every check passes
(and the receipt's ballot is proven included), 1 when any fails, 2 when the record or the code cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from pbvote.errors import RecordError
from pbvote.record.layout import read_record
from pbvote.record.receipts import receipt_in_record
from tally.verify import CheckResult, load_record, verify_record

__all__ = ["add_parsers", "run_verify"]

_SHOWN = 20  # failures printed per check; the rest are counted


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `verify` on the `pbvote` command."""
    parser = subparsers.add_parser("verify", help="check a published election record (folder, .zip or .tar)")
    parser.add_argument("record", metavar="RECORD", help="the record folder or archive")
    parser.add_argument("--receipt", metavar="CODE", help="also find this receipt's ballot and prove it is counted")
    parser.set_defaults(handler=run_verify)


def _say(text: str) -> None:
    print(text)  # noqa: T201 -- the CLI's own output


def run_verify(args: argparse.Namespace) -> int:
    """Verify the record named on the command line; returns the exit status."""
    try:
        files = read_record(args.record)
        results = verify_record(files)
    except RecordError as exc:
        print(f"pbvote verify: cannot read the record: {exc}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
        return 2
    _say(f"record {args.record}")
    _say(f"election_hash {load_record(files).election_hash}")
    for result in results:
        _print_result(result)
    failed = [r.number for r in results if not r.passed]
    _say(f"{len(results) - len(failed)} of {len(results)} checks passed" + (f"; failed: {failed}" if failed else ""))
    receipt_ok = True
    if args.receipt is not None:
        try:
            receipt_ok = _print_receipt(files, args.receipt)
        except ValueError as exc:
            print(f"pbvote verify: {exc}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
            return 2
    return 0 if not failed and receipt_ok else 1


def _print_result(result: CheckResult) -> None:
    _say(f"[{result.number}] {'PASS' if result.passed else 'FAIL'}  {result.title}")
    for failure in result.failures[:_SHOWN]:
        _say(f"      {failure}")
    if len(result.failures) > _SHOWN:
        _say(f"      ... and {len(result.failures) - _SHOWN} more")


def _print_receipt(files: Mapping[str, bytes], code: str) -> bool:
    """Print the receipt's line and inclusion proof; whether the proof verifies."""
    try:
        proof = receipt_in_record(files, code)
    except RecordError as exc:
        _say(f"receipt FAIL  {exc}")
        return False
    if proof is None:
        _say("receipt FAIL  no line of ballots.jsonl holds the ballot of this receipt code")
        return False
    _say(f"receipt ballot_id {proof.ballot_id}")
    _say(f"ballots.jsonl line {proof.line_number}: {proof.line}")
    _say(f"inclusion proof (leaf {proof.line_number - 1} of {proof.tree_size}, leaf to root):")
    for step in proof.proof:
        _say(f"  {step}")
    verdict = "PASS  included under" if proof.verified else "FAIL  not included under"
    _say(f"receipt {verdict} the published root {proof.root}")
    return proof.verified
