"""Engines and sessions for the ballot store: SQLite through aiosqlite, PostgreSQL through asyncpg."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection, PoolResetState

__all__ = ["DEFAULT_URL", "make_engine", "make_sessionmaker", "take_pending_begin"]

DEFAULT_URL = "sqlite+aiosqlite:///pbvote.db"
_SQLITE_BUSY_SECONDS = 30


def make_engine(url: str, *, echo: bool = False, null_pool: bool = False) -> AsyncEngine:
    """An async engine for `url`.

    SQLite runs in WAL mode with foreign keys on and `synchronous=FULL`, and every transaction starts with
    `BEGIN IMMEDIATE`, sent with its first statement: writers from other processes queue on the database lock (up
    to 30 s) instead of failing when a read transaction tries to become a write.

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
        kwargs.update(
            connect_args={"timeout": _SQLITE_BUSY_SECONDS},
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            pool_reset_on_return=None,  # `_reset_only_in_transaction` instead
        )
    else:
        # a pooled connection that died with its server (restart, immediate shutdown) is replaced on checkout
        # instead of failing the request that drew it
        kwargs["pool_pre_ping"] = True
    if null_pool:
        kwargs = {"echo": echo, "poolclass": NullPool, "connect_args": kwargs.get("connect_args", {})}
        if is_sqlite:
            kwargs["pool_reset_on_return"] = None
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

    # BEGIN IMMEDIATE goes with the transaction's first statement: through SQLAlchemy, just before it, on the
    # driver (one hand-off to aiosqlite's thread; through SQLAlchemy's cursor, three); on the driver's connection
    # (`take_pending_begin`), handed to the thread with it (no wait of its own)
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:  # noqa: ANN401 -- SQLAlchemy's event passes a sync Connection
        connection.connection.info[_PENDING_BEGIN] = True

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before_execute(connection: Any, *_args: object) -> None:  # noqa: ANN401 -- a sync Connection
        if connection.connection.info.pop(_PENDING_BEGIN, False):
            _run_on_driver(connection.connection.dbapi_connection, "BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "commit")
    @event.listens_for(engine.sync_engine, "rollback")
    def _on_end(connection: Any) -> None:  # noqa: ANN401 -- a sync Connection
        connection.connection.info.pop(_PENDING_BEGIN, None)  # a transaction that ran no statement

    _reset_only_in_transaction(engine)


_PENDING_BEGIN = "pbvote.pending_begin"


def take_pending_begin(connection: PoolProxiedConnection) -> bool:
    """Whether this SQLite connection's transaction has not yet sent its BEGIN IMMEDIATE; the caller now sends it.

    For statements run on the driver's connection, past SQLAlchemy's events: the caller hands BEGIN IMMEDIATE to
    aiosqlite's thread first, with its own statement after it.
    """
    return bool(connection.info.pop(_PENDING_BEGIN, False))


def _run_on_driver(dbapi_connection: Any, sql: str) -> None:  # noqa: ANN401 -- SQLAlchemy's aiosqlite adapter
    """Run `sql` on aiosqlite's connection under SQLAlchemy's adapter, with the driver's errors as SQLAlchemy's."""
    try:
        dbapi_connection.run_async(lambda driver: driver.execute_fetchall(sql))
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


def _reset_only_in_transaction(engine: AsyncEngine) -> None:
    """On return to the pool, roll back only a connection still in a transaction (SQLite knows; no hand-off).

    The pool's default rolls back every connection returned, one hand-off to aiosqlite's thread each time, even
    after a commit (a batch of ballots answers only once its connection is back). Installed with
    `pool_reset_on_return=None`, SQLAlchemy's documented way to customize the reset.
    """

    @event.listens_for(engine.sync_engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, record: ConnectionPoolEntry, state: PoolResetState) -> None:  # noqa: ANN401 -- the adapter
        record.info.pop(_PENDING_BEGIN, None)
        if not state.asyncio_safe:
            return  # garbage-collected outside the event loop: SQLAlchemy closes it instead
        driver = dbapi_connection.driver_connection
        if driver is not None and driver.in_transaction:
            dbapi_connection.rollback()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
