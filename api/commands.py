"""`pbvote serve`, `pbvote db upgrade`, `pbvote token create` and `pbvote demo`.

The server and the database drivers are imported inside the handlers, so `pbvote tally` needs neither.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import secrets
import sys
from pathlib import Path
from typing import Any

__all__ = ["GC_THRESHOLDS", "SERVER_OPTIONS", "add_parsers", "database_url", "server_secret"]

SERVER_OPTIONS: dict[str, Any] = {"loop": "uvloop", "http": "httptools", "access_log": False, "log_level": "info"}
"""How `pbvote serve` runs uvicorn (and so the load benchmark's bare endpoint, for a like-for-like ceiling).

uvloop and httptools, named rather than left to uvicorn's `auto`, so that a missing one fails at start instead of
serving on the pure-Python parser: with the asyncio loop and h11, HTTP handling was two fifths of the server's CPU
under load (py-spy, `make bench-api`). No access log: a line per request would tie each ballot's arrival time to
the client's address, which ballot secrecy does not allow (and it cost 4% of the CPU); errors are still logged,
and every staff action is in the audit log.
"""

_SECRET_FILE = "pbvote.secret"  # noqa: S105 -- the file name, not a secret


GC_THRESHOLDS = (20_000, 10, 10)
"""The collector's thresholds in `pbvote serve` (Python's default: 700, 10, 10).

Each request allocates thousands of objects, so with the default the youngest generation is collected every few
requests, and a full collection (about 30 ms, every request in flight paused) runs twice a second under load.
Collecting the youngest generation every 20,000 allocations instead spends about a third of the time in the
collector (measured in the server under `make bench-api`: 0.38 s against 1.18 s of 12 s of CPU) and still runs a
full collection every 2 million allocations or so, so cyclic garbage is freed within seconds.
"""


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the server's commands on `pbvote`."""
    serve = subparsers.add_parser("serve", help="run the voting server (SQLite file by default)")
    _db_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=run_serve)

    db = subparsers.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply the alembic migrations (creates the schema)")
    _db_option(upgrade)
    upgrade.set_defaults(handler=run_db_upgrade)

    token = subparsers.add_parser("token", help="staff bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    create = token_commands.add_parser("create", help="make a staff token and print it (shown only once)")
    create.add_argument("--role", required=True, choices=("admin", "official", "observer"))
    create.add_argument("--label", default="", help="who holds it")
    _db_option(create)
    create.set_defaults(handler=run_token_create)

    demo = subparsers.add_parser("demo", help="serve a seeded demo election on a fresh SQLite file")
    demo.add_argument("--db", default="sqlite+aiosqlite:///pbvote-demo.db", help="database URL (recreated)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="seed and print, but do not start the server")
    demo.set_defaults(handler=run_demo)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="database URL (default: $PBVOTE_DATABASE_URL or pbvote.db)")


def database_url(option: str | None) -> str:
    """The database URL: the option, else `PBVOTE_DATABASE_URL`, else the SQLite file `pbvote.db`."""
    from ballots.store.engine import DEFAULT_URL  # noqa: PLC0415 -- drivers load only for these commands

    return option or os.environ.get("PBVOTE_DATABASE_URL") or DEFAULT_URL


def server_secret() -> str:
    """`PBVOTE_SECRET`, else the secret kept in `./pbvote.secret` (made on first start, readable only by you)."""
    if os.environ.get("PBVOTE_SECRET"):
        return os.environ["PBVOTE_SECRET"]
    path = Path(_SECRET_FILE)
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        print(f"pbvote: made a server secret in {path.resolve()}; keep it with the database", file=sys.stderr)  # noqa: T201 -- CLI output
    return path.read_text(encoding="utf-8").strip()


async def _upgrade(url: str) -> None:
    from ballots.store.engine import make_engine  # noqa: PLC0415 -- drivers load only for these commands
    from ballots.store.migrate import upgrade  # noqa: PLC0415

    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def run_db_upgrade(args: argparse.Namespace) -> int:
    """Apply every migration."""
    url = database_url(args.db)
    asyncio.run(_upgrade(url))
    print(f"pbvote: schema of {url} is up to date")  # noqa: T201 -- CLI output
    return 0


async def _create_token(url: str, role: str, label: str) -> str:
    from ballots.staff import create_token  # noqa: PLC0415 -- drivers load only for these commands
    from ballots.store.engine import make_engine, make_sessionmaker  # noqa: PLC0415

    await _upgrade(url)
    engine = make_engine(url, null_pool=True)
    try:
        return await create_token(make_sessionmaker(engine), role, label)
    finally:
        await engine.dispose()


def run_token_create(args: argparse.Namespace) -> int:
    """Print a new staff token."""
    print(asyncio.run(_create_token(database_url(args.db), args.role, args.label)))  # noqa: T201 -- CLI output
    return 0


def serve(url: str, secret: str, host: str, port: int) -> None:
    """Migrate the database, then serve the app with uvicorn until interrupted."""
    import uvicorn  # noqa: PLC0415 -- the server loads only for this command

    from api.app import create_app  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415

    asyncio.run(_upgrade(url))
    app = create_app(Settings(database_url=url, secret=secret))
    print(f"pbvote: serving on http://{host}:{port}  (API docs: http://{host}:{port}/schema)", file=sys.stderr)  # noqa: T201 -- CLI output
    # the objects made so far (modules, the app, its routes) live as long as the server: moved out of the
    # collector's view, they are not walked again by every full collection, which otherwise pauses every request
    # in flight (measured with `make bench-api`: p99 from 125-170 ms down to 75-95 ms under the same load)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    uvicorn.run(app, host=host, port=port, **SERVER_OPTIONS)


def run_serve(args: argparse.Namespace) -> int:
    """`pbvote serve`."""
    serve(database_url(args.db), server_secret(), args.host, args.port)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """`pbvote demo`."""
    from api.demo import run  # noqa: PLC0415 -- the server loads only for this command

    return run(args.db, args.host, args.port, serve_after=not args.no_serve)
