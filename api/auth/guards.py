"""Staff authentication: the bearer token of each request, and the roles each route needs.

Routes declare `dependencies={"staff": ADMIN}` (or `OFFICIAL`, `OBSERVER`) and take `staff: StaffDep`; the
dependency authenticates the token (stored only as its hash, compared in constant time) and checks the role.
"""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from api.deps import IntakeDep
from ballots.staff import authenticate, require_role
from ballots.store.models import StaffTokenRow

__all__ = ["ADMIN", "OBSERVER", "OFFICIAL", "StaffDep", "bearer_token"]

StaffDep = NamedDependency[StaffTokenRow]
"""The authenticated staff member, as a handler parameter."""


def bearer_token(request: Request[object, object, State]) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _staff_with(*roles: str) -> Provide:
    async def provide(request: Request[object, object, State], intake: IntakeDep) -> StaffTokenRow:
        staff = await authenticate(intake.sessions, bearer_token(request))
        require_role(staff, roles)
        return staff

    return Provide(provide)


ADMIN = _staff_with("admin")
"""A coordinator: defines elections, loads the roll, resolves paper batches."""
OFFICIAL = _staff_with("admin", "official")
"""An official at a kiosk (or an admin)."""
OBSERVER = _staff_with("admin", "observer")
"""Who may read the audit log and export ballots."""
