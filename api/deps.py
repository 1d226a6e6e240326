"""Dependencies every controller shares: the intake services and the staff member behind a bearer token."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from ballots.context import Intake
from ballots.staff import authenticate, require_role
from ballots.store.models import StaffTokenRow

__all__ = ["ADMIN", "OBSERVER", "OFFICIAL", "IntakeDep", "StaffDep", "provide_intake"]

IntakeDep = NamedDependency[Intake]
"""The intake services, as a handler parameter."""
StaffDep = NamedDependency[StaffTokenRow]
"""The authenticated staff member, as a handler parameter."""


def provide_intake(state: State) -> Intake:
    """The server's intake services."""
    intake: Intake = state.intake
    return intake


def _bearer(request: Request[object, object, State]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _staff_with(*roles: str) -> Provide:
    async def provide(request: Request[object, object, State], intake: IntakeDep) -> StaffTokenRow:
        staff = await authenticate(intake.sessions, _bearer(request))
        require_role(staff, roles)
        return staff

    return Provide(provide)


ADMIN = _staff_with("admin")
"""A coordinator: defines elections, loads the roll, resolves paper batches."""
OFFICIAL = _staff_with("admin", "official")
"""An official at a kiosk (or an admin)."""
OBSERVER = _staff_with("admin", "observer")
"""Who may read the audit log and export ballots."""
