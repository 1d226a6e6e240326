"""Engines and sessions for the ballot store: SQLite through aiosqlite, PostgreSQL through asyncpg."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

__all__ = ["DEFAULT_URL", "make_engine", "make_sessionmaker"]

DEFAULT_URL = "sqlite+aiosqlite:///pbvote.db"
_SQLITE_BUSY_SECONDS = 30


def make_engine(url: str, *, echo: bool = False, null_pool: bool = False) -> AsyncEngine:
    """An async engine for `url`.

    SQLite runs in WAL mode with foreign keys on and `synchronous=FULL`, and every transaction starts with
    `BEGIN IMMEDIATE`: writers from other processes queue on the database lock (up to 30 s) instead of failing when
    a read transaction tries to become a write.

    Args:
        url: a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL.
        echo: log every statement.
        null_pool: open a fresh connection for every use (test fixtures, one-off commands); for SQLite this
            gives up the queueing of writers, so servers leave it off.
    """
    kwargs: dict[str, Any] = {"echo": echo}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        # SQLite has one writer at a time. One pooled connection makes concurrent requests wait their turn in the
        # pool's async queue, in order, instead of in SQLite's busy handler, which sleeps and retries.
        kwargs.update(connect_args={"timeout": _SQLITE_BUSY_SECONDS}, pool_size=1, max_overflow=0, pool_timeout=60)
    else:
        # a pooled connection that died with its server (restart, immediate shutdown) is replaced on checkout
        # instead of failing the request that drew it
        kwargs["pool_pre_ping"] = True
    if null_pool:
        kwargs = {"echo": echo, "poolclass": NullPool, "connect_args": kwargs.get("connect_args", {})}
    engine = create_async_engine(url, **kwargs)
    if is_sqlite:
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # the driver's own transaction handling would issue a deferred BEGIN; we issue BEGIN IMMEDIATE below
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before it returns, so no acknowledged ballot is lost in a power cut (NORMAL,
        # faster in WAL mode, may roll back the last commits); grouping commits is the way to speed this up
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:  # noqa: ANN401 -- SQLAlchemy's event passes a sync Connection
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
