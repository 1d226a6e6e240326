"""`pbvote tally` and `pbvote compare`: run rules on a `.pb` file."""

from __future__ import annotations

import argparse
import sys

from pbvote.errors import PbvoteError
from pbvote.pabulib import read_pb
from tally.allocation import canonical_json
from tally.options import RuleOptions
from tally.registry import RULES, allocate

__all__ = ["add_parsers"]


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tally` on the `pbvote` command."""
    parser = subparsers.add_parser("tally", help="run an allocation rule on a .pb file")
    parser.add_argument("file", metavar="FILE.pb")
    parser.add_argument("--rule", default="greedy", help=f"rule id ({', '.join(sorted(RULES)) or 'none yet'})")
    parser.add_argument("--json", action="store_true", help="print one canonical JSON object")
    parser.set_defaults(handler=run_tally)


def run_tally(args: argparse.Namespace) -> int:
    """Tally a file and print the outcome."""
    try:
        pb = read_pb(args.file)
        allocation = allocate(pb.election, pb.ballots, args.rule, RuleOptions())
    except PbvoteError as exc:
        print(f"pbvote: {exc}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
        return 2
    print(canonical_json(allocation.to_json_value()))  # noqa: T201 -- the CLI's own output
    return 0
