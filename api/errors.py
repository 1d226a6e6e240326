"""The one place where errors become HTTP answers.

Every `PbvoteError` subclass has its status here (a test walks the hierarchy). Bodies are JSON:
`{"status_code": 422, "detail": "...", "reasons": [{"field": ..., "code": ..., "message": ...}]}`.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel

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
    "PUBLIC_ERRORS",
    "STAFF_ERRORS",
    "STATUS",
    "UPLOAD_ERRORS",
    "ErrorBody",
    "ErrorReason",
    "errors",
    "pbvote_error_handler",
    "status_of",
    "validation_error_handler",
]

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
