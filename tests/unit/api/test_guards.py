"""Staff routes cannot be served without the staff guard: `require_staff_guards` refuses such an app."""

from __future__ import annotations

import pytest
from litestar import Litestar, Router, get
from litestar.exceptions import ImproperlyConfiguredException

from api.auth.guards import ADMIN, StaffDep, require_staff_guards, staff_guard


@get("/secret", dependencies={"staff": ADMIN})
async def secret(staff: StaffDep) -> str:
    return staff.role


@get("/public")
async def public() -> str:
    return "ok"


def test_a_staff_route_without_the_guard_is_refused() -> None:
    app = Litestar(route_handlers=[public, secret])
    with pytest.raises(ImproperlyConfiguredException, match="/secret declares a staff dependency"):
        require_staff_guards(app)


def test_a_staff_route_under_a_guarded_router_is_accepted() -> None:
    app = Litestar(route_handlers=[public, Router("/", route_handlers=[secret], guards=[staff_guard])])
    require_staff_guards(app)  # raises if the guard were not seen
    guarded = [h for r in app.routes for h in getattr(r, "route_handlers", ()) if staff_guard in h.resolve_guards()]
    assert "secret" in [h.handler_name for h in guarded]
    assert "public" not in [h.handler_name for h in guarded]
