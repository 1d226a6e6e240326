"""`pbvote export ELECTION_ID FILE` and `pbvote import FILE`: move an election between databases.

A town that starts on the SQLite default moves to PostgreSQL with (server stopped, same `PBVOTE_SECRET` after):

    pbvote export 1 riverside.json --db sqlite+aiosqlite:///pbvote.db
    pbvote import riverside.json --db postgresql+asyncpg://pbvote@db.example/pbvote

See `ballots/transfer.py` for what the file holds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from api.commands import database_url

__all__ = ["add_parsers"]


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `export` and `import` on `pbvote`."""
    export = subparsers.add_parser("export", help="write a whole election to a JSON file (to move it elsewhere)")
    export.add_argument("election_id", type=int, metavar="ELECTION_ID")
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--db", default=None, help="database URL (default: $PBVOTE_DATABASE_URL or pbvote.db)")
    export.set_defaults(handler=run_export)
    imp = subparsers.add_parser("import", help="load an exported election into a database (never overwrites)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--db", default=None, help="database URL (default: $PBVOTE_DATABASE_URL or pbvote.db)")
    imp.set_defaults(handler=run_import)


async def _export(url: str, election_id: int) -> str:
    from ballots.store.engine import make_engine  # noqa: PLC0415 -- drivers load only for these commands
    from ballots.transfer import export_election  # noqa: PLC0415

    engine = make_engine(url, null_pool=True)
    try:
        return await export_election(engine, election_id)
    finally:
        await engine.dispose()


async def _import(url: str, text: str) -> int:
    from ballots.store.engine import make_engine  # noqa: PLC0415 -- drivers load only for these commands
    from ballots.store.migrate import upgrade  # noqa: PLC0415
    from ballots.transfer import import_election, load_election  # noqa: PLC0415

    document = load_election(text)
    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
        return await import_election(engine, document)
    finally:
        await engine.dispose()


def _fail(message: str) -> int:
    print(f"pbvote: {message}", file=sys.stderr)  # noqa: T201 -- the CLI's own output
    return 2


def run_export(args: argparse.Namespace) -> int:
    """`pbvote export`."""
    from pbvote.errors import PbvoteError  # noqa: PLC0415

    url = database_url(args.db)
    try:
        text = asyncio.run(_export(url, args.election_id))
    except PbvoteError as exc:
        return _fail(str(exc))
    args.file.write_text(text, encoding="utf-8")
    print(f"pbvote: election {args.election_id} written to {args.file}", file=sys.stderr)  # noqa: T201 -- CLI output
    return 0


def run_import(args: argparse.Namespace) -> int:
    """`pbvote import`."""
    from pbvote.errors import PbvoteError  # noqa: PLC0415

    url = database_url(args.db)
    try:
        text = args.file.read_text(encoding="utf-8")
        election_id = asyncio.run(_import(url, text))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    except PbvoteError as exc:
        return _fail(f"{args.file}: {exc}")
    print(f"pbvote: election {election_id} imported", file=sys.stderr)  # noqa: T201 -- CLI output (no URL: it may hold a password)
    return 0
