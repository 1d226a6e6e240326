"""A database that cannot be reached answers 503 with Retry-After; other driver errors stay 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from api.errors import RETRY_AFTER_SECONDS, database_unavailable_handler


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None, message: str = "driver says no") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def _dbapi(cls: type[DBAPIError], sqlstate: str | None, message: str = "", *, invalidated: bool = False) -> DBAPIError:
    orig = _DriverError(sqlstate, message or "driver says no")
    return cls("SELECT 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        TimeoutError(),
        _dbapi(OperationalError, None, "database is locked"),  # SQLite past its busy timeout
        _dbapi(InterfaceError, None, "connection is closed"),
        _dbapi(DBAPIError, "57P01"),  # admin_shutdown: pg_ctl stop -m immediate / fast
        _dbapi(DBAPIError, "57P03"),  # cannot_connect_now: the database system is starting up
        _dbapi(DBAPIError, "08006"),  # connection_failure
        _dbapi(DBAPIError, None, invalidated=True),
    ],
)
def test_unreachable_database_is_503_with_retry_after(exc):
    response = database_unavailable_handler(None, exc)  # type: ignore[arg-type]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "5432" not in json.dumps(response.content)


@pytest.mark.parametrize(
    "exc",
    [
        _dbapi(DBAPIError, "42P01"),
        _dbapi(DBAPIError, None),
        _dbapi(IntegrityError, "23505"),
        _dbapi(OperationalError, None, "no such table: ballots"),  # SQLite reports bugs as OperationalError too
    ],
)
def test_other_driver_errors_stay_500(exc):
    response = database_unavailable_handler(None, exc)  # type: ignore[arg-type]
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
