"""The one place where errors become HTTP answers.

Every `PbvoteError` subclass has its status here (a test walks the hierarchy). Bodies are JSON:
`{"status_code": 422, "detail": "...", "reasons": [{"field": ..., "code": ..., "message": ...}]}`.

A database that cannot be reached (stopped, restarting, connection refused or dropped) is not a bug of the
request: it answers 503 with `Retry-After`, and the client retries (with its `Idempotency-Key`, so a ballot whose
commit went through before the connection dropped is answered again, never stored twice).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ballots.errors import CredentialRejected, Forbidden, InvalidBallot, RateLimited, StaffError, Unauthenticated
from pbvote.errors import (
    BallotError,
    BallotRejected,
    ConflictError,
    InvalidElection,
    InvalidRuleOptions,
    NotFound,
    PabulibError,
    PbvoteError,
    RecordError,
    StorageError,
    UnknownRule,
)

__all__ = [
    "BALLOT_ERRORS",
    "DATABASE_UNAVAILABLE",
    "PUBLIC_ERRORS",
    "RETRY_AFTER_SECONDS",
    "STAFF_ERRORS",
    "STATUS",
    "UPLOAD_ERRORS",
    "ErrorBody",
    "ErrorReason",
    "database_unavailable_handler",
    "errors",
    "pbvote_error_handler",
    "status_of",
    "unavailable_response",
    "validation_error_handler",
]

# The errors of a database that is down or unreachable: SQLAlchemy's wrapping of the drivers' connection errors,
# a pool that cannot hand out a connection, and the OS's own refusals and timeouts seen while connecting.
# Every DBAPIError comes through the handler, which tells outages from bugs (`_connection_lost`): PostgreSQL's own
# "shutting down" and "starting up" answers (SQLSTATE 57P01-57P03) reach SQLAlchemy as a plain DBAPIError.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    DBAPIError,
    OperationalError,
    InterfaceError,
    PoolTimeout,
    ConnectionError,
    TimeoutError,
)
RETRY_AFTER_SECONDS = 2
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})  # shutdown, crash, starting, too many
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")
_log = logging.getLogger("pbvote.api")

STATUS: dict[type[PbvoteError], int] = {
    PbvoteError: 500,
    InvalidElection: 422,
    PabulibError: 422,
    UnknownRule: 422,
    InvalidRuleOptions: 422,
    BallotError: 422,
    BallotRejected: 422,
    InvalidBallot: 422,
    CredentialRejected: 403,
    RateLimited: 429,
    StorageError: 500,
    ConflictError: 409,
    NotFound: 404,
    RecordError: 422,
    StaffError: 401,
    Unauthenticated: 401,
    Forbidden: 403,
}


def status_of(exc: PbvoteError) -> int:
    """The HTTP status of an error: its own class's, else its nearest mapped ancestor's."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def pbvote_error_handler(_: Request[Any, Any, Any], exc: PbvoteError) -> Response[dict[str, object]]:
    """Answer a domain error with its status, message and, for ballots, every reason field by field."""
    status = status_of(exc)
    body: dict[str, object] = {"status_code": status, "detail": str(exc)}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidBallot):
        body["reasons"] = [{"field": r.field, "code": r.code, "message": r.message} for r in exc.field_reasons]
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
        body["retry_after"] = exc.retry_after
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return Response(body, status_code=status, headers=headers)


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, object]]:
    """A request that does not match its schema: 422 with every field that is wrong."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    reasons = [
        {"field": str(item.get("key", "")), "code": "malformed", "message": str(item.get("message", ""))}
        for item in extra
        if isinstance(item, dict)
    ]
    body: dict[str, object] = {"status_code": 422, "detail": exc.detail, "reasons": reasons}
    return Response(body, status_code=422)


class ErrorReason(BaseModel):
    """One thing wrong with a request: the field, a stable code and a sentence."""

    field: str
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every 4xx answer (Litestar's own errors carry `extra` instead of `reasons`)."""

    status_code: int
    detail: str
    reasons: list[ErrorReason] | None = None
    retry_after: int | None = None
    extra: dict[str, Any] | list[Any] | None = None


_MEANING = {
    400: "The request is malformed (not JSON, not a form, a parameter that cannot be read).",
    401: "No staff bearer token, or one that is not valid.",
    403: "The staff role may not do this, or the voting credential is refused.",
    404: "No such election, kiosk, batch, check-in or receipt.",
    409: "The election is not in the state this needs (draft, open, closed), or the action was already done.",
    413: "The body is larger than this route accepts.",
    422: "The request is well formed but wrong: every field that is wrong is in `reasons`.",
    429: "Too many failed attempts: wait `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """The OpenAPI description of the error answers a route can give (400 and 422 always)."""
    return {
        code: ResponseSpec(ErrorBody, description=_MEANING[code], generate_examples=False)
        for code in sorted({400, 422, *codes})
    }


PUBLIC_ERRORS = errors(404)
"""A public read of a stored thing."""
STAFF_ERRORS = errors(401, 403, 404, 409)
"""A staff action on a stored thing."""
UPLOAD_ERRORS = errors(401, 403, 404, 409, 413)
"""A staff action with a body (JSON or a file)."""
BALLOT_ERRORS = errors(401, 403, 404, 409, 413, 429)
"""A ballot or a credential: refused credentials (403) and too many failures (429) too."""


def unavailable_response() -> Response[dict[str, object]]:
    """503 with `Retry-After`: the database cannot be reached right now."""
    body: dict[str, object] = {
        "status_code": 503,
        "detail": "the ballot store cannot be reached right now; retry shortly",
        "retry_after": RETRY_AFTER_SECONDS,
    }
    return Response(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def database_unavailable_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    """A database that is down answers 503 with `Retry-After` (the error's text, which may name hosts, stays out)."""
    if isinstance(exc, DBAPIError) and not _connection_lost(exc):
        _log.error("database error (%s, SQLSTATE %s)", type(exc.orig).__name__, _sqlstate(exc))
        return Response({"status_code": 500, "detail": "Internal Server Error"}, status_code=500)
    _log.warning("database unavailable (%s): answered 503", type(exc).__name__)
    return unavailable_response()


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", "") or "")


def _connection_lost(exc: DBAPIError) -> bool:
    """Whether a driver error means the database is away or busy, rather than a bug.

    PostgreSQL: a dropped connection (asyncpg's InterfaceError), SQLSTATE class 08, shutting down or starting up.
    SQLite: its OperationalError also reports bad SQL and missing tables (500s); only a locked or unreadable file
    is an outage.
    """
    state = _sqlstate(exc)
    if exc.connection_invalidated or state.startswith("08") or state in _UNAVAILABLE_SQLSTATES:
        return True
    if isinstance(exc, OperationalError):
        return any(words in str(exc.orig).lower() for words in _SQLITE_UNAVAILABLE)
    return isinstance(exc, InterfaceError)
