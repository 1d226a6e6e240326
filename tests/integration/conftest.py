"""Every store and API test runs twice: on SQLite and on PostgreSQL, each built by `alembic upgrade head`.

PostgreSQL comes from PBVOTE_TEST_DATABASE_URL (default postgresql+asyncpg://postgres@127.0.0.1:5432/test). Each
test session creates its own database (`pbvote_test_<random>`), dropped at the end, so parallel runs never meet.
A server that cannot be reached fails the run, in CI and elsewhere: a skipped database test is not a passed one.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ballots.store.engine import make_engine
from ballots.store.migrate import upgrade

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
T = TypeVar("T")
TABLES = (
    "participation",
    "records",
    "officials",
    "audit_log",
    "paper_entries",
    "idempotency_keys",
    "ballots",
    "paper_batches",
    "kiosks",
    "voters",
    "elections",
    "staff_tokens",
)


@pytest.fixture(name="anyio_backend")
def fx_anyio_backend() -> str:
    return "asyncio"


async def _migrate(url: str) -> None:
    engine = make_engine(url, null_pool=True)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(name="postgres_url", scope="session")
def fx_postgres_url() -> Iterator[str]:
    base = os.environ.get("PBVOTE_TEST_DATABASE_URL", DEFAULT_PG)
    name = f"pbvote_test_{secrets.token_hex(6)}"
    admin = _asyncpg_dsn(base, make_url(base).database or "postgres")

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(admin, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        run_async(execute(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        ci = " (CI=true)" if os.environ.get("CI") == "true" else ""
        pytest.fail(
            f"PostgreSQL at {base} cannot be reached{ci}: {exc}; start it (.ci/postgres.sh) or set "
            "PBVOTE_TEST_DATABASE_URL",
            pytrace=False,
        )
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    run_async(_migrate(url))
    yield url
    run_async(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(name="sqlite_template", scope="session")
def fx_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    run_async(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def truncate(url: str) -> None:
    engine = make_engine(url, null_pool=True)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def run_async(coroutine: Coroutine[object, object, T]) -> T:
    """Run a coroutine to completion on a fresh loop in its own thread (safe beside a test's running loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(name="db_url", params=["sqlite", "postgresql"])
def fx_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "pbvote.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    run_async(truncate(url))
    return url
