"""Errors of ballot intake, added under pbvote's hierarchy.

```
PbvoteError
  BallotError
    BallotRejected
      InvalidBallot(reasons)       # every reason, field by field (422)
    CredentialRejected(reason)     # unknown code, wrong birth year, not eligible (403)
  RateLimited(retry_after)         # too many failed credential attempts (429)
  StaffError
    Unauthenticated                # no or unknown bearer token (401)
    Forbidden                      # a token whose role may not do this (403)
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pbvote.errors import BallotError, BallotRejected, PbvoteError

__all__ = [
    "CredentialRejected",
    "FieldReason",
    "Forbidden",
    "InvalidBallot",
    "RateLimited",
    "StaffError",
    "Unauthenticated",
]


@dataclass(frozen=True, slots=True)
class FieldReason:
    """One reason a ballot is refused, tied to the request field it concerns (`selections[2]`, `district`)."""

    field: str
    code: str
    message: str


class InvalidBallot(BallotRejected):
    """A ballot that breaks the election's rules, with every reason field by field."""

    def __init__(self, reasons: Sequence[FieldReason]) -> None:
        self.field_reasons = tuple(reasons)
        super().__init__([f"{r.field}: {r.message}" for r in self.field_reasons])


class CredentialRejected(BallotError):
    """A credential that does not let this resident vote here (unknown, mistyped, not eligible, already used)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class RateLimited(PbvoteError):
    """Too many failed credential attempts; `retry_after` whole seconds until the next is accepted."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        super().__init__(f"too many failed attempts for this {scope}; retry in {retry_after} s")


class StaffError(PbvoteError):
    """Base class of errors about a staff member's token."""


class Unauthenticated(StaffError):
    """No bearer token, or one the server does not know."""


class Forbidden(StaffError):
    """A token whose role may not perform the action."""
