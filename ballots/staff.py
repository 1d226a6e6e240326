"""Staff bearer tokens: roles `admin` (coordinator), `official` (kiosk and paper keying), `observer` (read-only)."""

from __future__ import annotations

import hmac
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ballots.credentials import new_staff_token, token_hash
from ballots.errors import Forbidden, Unauthenticated
from ballots.store import repository as repo
from ballots.store.models import StaffTokenRow
from pbvote.canonical import canonical_json

__all__ = ["ROLES", "authenticate", "create_token", "require_role"]

ROLES = ("admin", "official", "observer")


async def create_token(sessions: async_sessionmaker[AsyncSession], role: str, label: str = "") -> str:
    """Store a new token for `role` (only its hash) and return the token, shown this once.

    Raises:
        ValueError: an unknown role.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    token = new_staff_token()
    async with sessions.begin() as session:
        row = StaffTokenRow(token_hash=token_hash(token), role=role, label=label, created_at=repo.now())
        session.add(row)
        await session.flush()
        await repo.add_audit(session, None, "token.create", None, canonical_json({"token": row.id, "role": role}))
    return token


async def authenticate(sessions: async_sessionmaker[AsyncSession], token: str | None) -> StaffTokenRow:
    """The staff member holding `token`.

    Raises:
        Unauthenticated: no token, or one that is not stored.
    """
    if not token:
        raise Unauthenticated("this action needs a staff bearer token (Authorization: Bearer ...)")
    hashed = token_hash(token)
    async with sessions.begin() as session:
        row = await repo.staff_by_hash(session, hashed)
    # the lookup goes through an index on the hash; the final comparison is constant-time all the same
    if row is None or not hmac.compare_digest(row.token_hash, hashed):
        raise Unauthenticated("this staff token is not valid")
    return row


def require_role(staff: StaffTokenRow, roles: Collection[str]) -> None:
    """Refuse a staff member whose role is not in `roles`.

    Raises:
        Forbidden: naming the roles allowed.
    """
    if staff.role not in roles:
        raise Forbidden(f"role {staff.role!r} may not do this; allowed: {', '.join(sorted(roles))}")
