"""The `pbvote` command: one entry point dispatching to each layer's subcommands.

Each subcommand module registers its parser with `add_parser(subparsers)` and runs through the function it sets
as `handler`. Heavy layers (the server) are imported only when their command runs, so `pbvote tally` needs neither
a database nor a web server.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import api.commands
import api.transfer_commands
import tally.cli
import tally.sign_cli
import tally.verify_cli

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="pbvote", description="Participatory budgeting: tally, serve, verify, sign.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tally.cli.add_parsers(subparsers)
    tally.verify_cli.add_parsers(subparsers)
    tally.sign_cli.add_parsers(subparsers)
    api.commands.add_parsers(subparsers)
    api.transfer_commands.add_parsers(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad input; 0 when the output's reader closed it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except BrokenPipeError:
        # The reader went away (`pbvote compare FILE | head`): not an error of ours, and nothing more to say.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
