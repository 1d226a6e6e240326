"""The one place where errors become HTTP answers.

Every `PbvoteError` subclass has its status here (a test walks the hierarchy). Bodies are JSON:
`{"status_code": 422, "detail": "...", "reasons": [{"field": ..., "code": ..., "message": ...}]}`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException

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

__all__ = ["STATUS", "pbvote_error_handler", "status_of", "validation_error_handler"]

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
