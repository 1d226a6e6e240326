"""Staff authentication: the bearer token of each request, and the roles each route needs.

Routes declare `dependencies={"staff": ADMIN}` (or `OFFICIAL`, `OBSERVER`) and take `staff: StaffDep`. The guard
`staff_guard`, set on every router that holds staff routes (`require_staff_guards` checks that none is missed),
reads that declaration, authenticates the token (stored only as its hash, compared in constant time) and checks the
role before anything else of the request is read: an anonymous caller gets 401 before its body or its query is
parsed. The dependency then hands the authenticated staff member to the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers.base import BaseRouteHandler

from api.deps import provide_intake
from ballots.staff import authenticate, require_role
from ballots.store.models import StaffTokenRow

__all__ = ["ADMIN", "OBSERVER", "OFFICIAL", "StaffDep", "bearer_token", "require_staff_guards", "staff_guard"]

StaffDep = NamedDependency[StaffTokenRow]
"""The authenticated staff member, as a handler parameter."""


def bearer_token(connection: ASGIConnection[Any, Any, Any, State]) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


_ROLES: dict[Callable[..., object], tuple[str, ...]] = {}
"""The roles each staff dependency admits, keyed by its provider (read by `staff_guard`)."""


def _staff_with(*roles: str) -> Provide:
    def provide(request: Request[Any, Any, State]) -> StaffTokenRow:
        staff: StaffTokenRow = request.state["staff"]  # set by staff_guard, which ran before any dependency
        return staff

    _ROLES[provide] = roles
    return Provide(provide, sync_to_thread=False)


async def staff_guard(connection: ASGIConnection[Any, Any, Any, State], handler: BaseRouteHandler) -> None:
    """App-wide guard: a route that declares a staff dependency needs a valid token of one of its roles.

    Raises:
        Unauthenticated: no token, or an unknown one (401).
        Forbidden: a role the route does not admit (403).
    """
    declared = handler.resolve_dependencies().get("staff")
    if declared is None:
        return
    roles = _ROLES[declared.dependency]
    intake = provide_intake(connection.app.state)
    staff = await authenticate(intake.sessions, bearer_token(connection))
    require_role(staff, roles)
    connection.state["staff"] = staff


def require_staff_guards(app: Litestar) -> None:
    """Refuse an app where a route declares a staff dependency without `staff_guard` in its guards.

    The guard is set per router, not app-wide, so that residents' ballots do not pay for it (Litestar copies the
    handler for every guard call); this check keeps a new staff route from being served unguarded.

    Raises:
        ImproperlyConfiguredException: naming the unguarded route.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if "staff" in handler.resolve_dependencies() and staff_guard not in handler.resolve_guards():
                raise ImproperlyConfiguredException(f"{route.path} declares a staff dependency without staff_guard")


ADMIN = _staff_with("admin")
"""A coordinator: defines elections, loads the roll, resolves paper batches."""
OFFICIAL = _staff_with("admin", "official")
"""An official at a kiosk (or an admin)."""
OBSERVER = _staff_with("admin", "observer")
"""Who may read the audit log and export ballots."""
