"""The ceiling of `bench_api.py`: a bare Litestar endpoint doing one asyncpg INSERT per request.

No credential check, no validation, no ORM: it decodes the ballot's JSON, inserts one row (autocommit, a unique
code column) and answers 201. It runs on uvicorn exactly as `pbvote serve` does (`api.commands.SERVER_OPTIONS`:
the same loop, HTTP parser, logging and one worker; and the same collector thresholds, `api.commands.GC_THRESHOLDS`).

    python benchmarks/api/bare_endpoint.py --dsn postgresql://postgres@127.0.0.1/db --port 8101
"""

from __future__ import annotations

import argparse
import gc
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import uvicorn
from litestar import Litestar, get, post
from litestar.datastructures import State

from api.commands import GC_THRESHOLDS, SERVER_OPTIONS

POOL_SIZE = 20
TABLE = "CREATE TABLE IF NOT EXISTS bare_ballots (id bigserial PRIMARY KEY, code text UNIQUE NOT NULL, body text)"


def create_app(dsn: str) -> Litestar:
    """The bare app over the PostgreSQL database at `dsn` (a plain `postgresql://` DSN)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE) as pool:
            await pool.execute(TABLE)
            app.state.pool = pool
            yield

    @post("/api/v1/elections/{election_id:int}/ballots")
    async def ballot(election_id: int, data: dict[str, Any], state: State) -> dict[str, Any]:
        await state.pool.execute(
            "INSERT INTO bare_ballots (code, body) VALUES ($1, $2)", data["credential"]["value"], json.dumps(data)
        )
        return {"receipt": secrets.token_hex(8), "election_id": election_id}

    @get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[ballot, healthz], lifespan=[lifespan])


def main() -> None:
    """Serve the bare endpoint until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)
    uvicorn.run(create_app(args.dsn), host=args.host, port=args.port, **SERVER_OPTIONS)


if __name__ == "__main__":
    main()
