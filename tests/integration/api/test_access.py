"""Every route of the app against every role: allowed, or 401 (no staff identity) / 403 (the wrong role).

The routes are read from the app itself, so a new endpoint missing from ACCESS fails here until someone decides
who may call it. Each guarded route must also declare the guard dependency the table names.
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from api.auth.guards import ADMIN, OBSERVER, OFFICIAL
from tests.integration.api.helpers import Client, create_election, make_codes

E = "/api/v1/elections"
# who may call each route: "public" (anyone), or the staff guard it declares
ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "public",
    ("GET", E): "public",
    ("POST", E): "admin",
    ("POST", f"{E}/pabulib"): "admin",
    ("GET", f"{E}/{{election_id:int}}"): "public",
    ("GET", f"{E}/{{election_id:int}}/result"): "public",
    ("GET", f"{E}/{{election_id:int}}/turnout"): "public",
    ("POST", f"{E}/{{election_id:int}}/open"): "admin",
    ("POST", f"{E}/{{election_id:int}}/close"): "admin",
    ("POST", f"{E}/{{election_id:int}}/tally"): "admin",
    ("GET", f"{E}/{{election_id:int}}/export"): "observer",
    ("GET", f"{E}/{{election_id:int}}/export.pb"): "observer",
    ("POST", f"{E}/{{election_id:int}}/roll/census"): "admin",
    ("POST", f"{E}/{{election_id:int}}/roll/codes"): "admin",
    ("POST", f"{E}/{{election_id:int}}/ballots"): "public",
    ("POST", f"{E}/{{election_id:int}}/kiosks"): "admin",
    ("POST", f"{E}/{{election_id:int}}/kiosks/{{kiosk_id:int}}/checkins"): "official",
    ("POST", f"{E}/{{election_id:int}}/kiosks/{{kiosk_id:int}}/checkins/{{checkin:str}}/ballot"): "official",
    ("POST", f"{E}/{{election_id:int}}/kiosks/{{kiosk_id:int}}/sync"): "official",
    ("POST", f"{E}/{{election_id:int}}/batches"): "official",
    ("PUT", f"{E}/{{election_id:int}}/batches/{{batch_id:int}}/papers/{{seq:int}}"): "official",
    ("GET", f"{E}/{{election_id:int}}/batches/{{batch_id:int}}/mismatches"): "admin",
    ("PUT", f"{E}/{{election_id:int}}/batches/{{batch_id:int}}/papers/{{seq:int}}/resolution"): "admin",
    ("POST", f"{E}/{{election_id:int}}/batches/{{batch_id:int}}/reconcile"): "admin",
    ("GET", "/api/v1/audit"): "observer",
    # the published record and the officials' signing (issue 4)
    ("GET", f"{E}/{{election_id:int}}/election.json"): "public",
    ("GET", f"{E}/{{election_id:int}}/manifest"): "public",
    ("GET", f"{E}/{{election_id:int}}/officials"): "public",
    ("POST", f"{E}/{{election_id:int}}/officials"): "admin",
    ("GET", f"{E}/{{election_id:int}}/receipts/{{code:str}}"): "public",
    ("GET", f"{E}/{{election_id:int}}/record"): "public",
    ("POST", f"{E}/{{election_id:int}}/signatures"): "official",
    ("GET", f"{E}/{{election_id:int}}/record/unsigned"): "official",
    # pages: residents' and the public's pages; their form posts need the page's CSRF token
    ("GET", "/"): "public",
    ("GET", "/vote/{election_id:int}"): "public",
    ("POST", "/vote/{election_id:int}/review"): "form",
    ("POST", "/vote/{election_id:int}/confirm"): "form",
    ("POST", "/vote/{election_id:int}/ballot"): "form",
    ("GET", "/vote/{election_id:int}/receipt/{receipt:str}"): "public",
    ("GET", "/vote/{election_id:int}/receipt/{receipt:str}/certificate"): "public",
    ("GET", "/receipt"): "public",
    ("GET", "/results/{election_id:int}"): "public",
    ("GET", "/turnout/{election_id:int}"): "public",
    ("GET", "/static/pages/{file_path:path}"): "public",
    # the kiosk: its sign-in page is public; everything else needs a staff sign-in (a cookie, not a bearer token)
    ("GET", "/kiosk"): "public",
    ("POST", "/kiosk/signin"): "form",
    ("POST", "/kiosk/signout"): "form",
    ("GET", "/kiosk/{election_id:int}"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/checkin"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/checkin/{checkin:str}/ballot"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/batches"): "kiosk",
    ("GET", "/kiosk/{election_id:int}/batches/{batch_id:int}"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/batches/{batch_id:int}/papers"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/batches/{batch_id:int}/papers/{seq:int}/resolution"): "kiosk",
    ("POST", "/kiosk/{election_id:int}/batches/{batch_id:int}/reconcile"): "kiosk",
}
# the OpenAPI document and its explorers (Litestar's own routes) are public
PUBLIC_PREFIXES = ("/schema",)
GUARDS = {"admin": ADMIN, "official": OFFICIAL, "observer": OBSERVER}
ALLOWED = {
    "public": {"anonymous", "resident", "observer", "official", "admin"},
    "form": set(),  # no role's request without the page's CSRF token gets through
    "kiosk": set(),  # no bearer token opens a kiosk page: only the signed-in cookie does
    "admin": {"admin"},
    "official": {"official", "admin"},
    "observer": {"observer", "admin"},
}


def routes(app: Litestar) -> list[tuple[str, str, object]]:
    """Every (method, path, handler) the app answers, HEAD and OPTIONS aside."""
    found = []
    for route in app.routes:
        assert isinstance(route, HTTPRoute), f"{route.path}: only HTTP routes are expected"
        for handler in route.route_handlers:
            found.extend((m, route.path, handler) for m in sorted(handler.http_methods) if m not in {"HEAD", "OPTIONS"})
    return found


def policy(method: str, path: str) -> str:
    if path.startswith(PUBLIC_PREFIXES):
        return "public"
    assert (method, path) in ACCESS, f"{method} {path} has no declared access policy: add it to ACCESS"
    return ACCESS[method, path]


def test_every_route_has_a_policy_and_declares_its_guard(app: Litestar) -> None:
    seen = set()
    for method, path, handler in routes(app):
        expected = policy(method, path)
        seen.add((method, path))
        staff = handler.resolve_dependencies().get("staff")  # type: ignore[attr-defined]
        if expected in {"public", "form", "kiosk"}:
            assert staff is None, f"{method} {path} is {expected} but declares a staff guard"
        else:
            assert staff is not None, f"{method} {path} declares no staff guard; ACCESS says {expected}"
            assert staff.dependency is GUARDS[expected].dependency, f"{method} {path}: ACCESS says {expected}"
    assert set(ACCESS) <= seen, f"ACCESS names routes the app does not have: {set(ACCESS) - seen}"


def concrete(path: str) -> str:
    """A request path for a route: ids 1, strings `x`."""
    path = re.sub(r"\{\w+:int\}", "1", path)
    return re.sub(r"\{\w+:(str|path)\}", "x", path)


@pytest.mark.anyio
async def test_every_route_against_every_role(
    app: Litestar, client: Client, admin: dict[str, str], official: dict[str, str], observer: dict[str, str]
) -> None:
    election_id = await create_election(client, admin)
    assert election_id == 1
    code = (await make_codes(client, admin, election_id, 1))[0]
    headers = {
        "anonymous": {},
        "resident": {"Authorization": f"Bearer {code}"},  # a voting code is no staff token
        "observer": observer,
        "official": official,
        "admin": admin,
    }
    checked = 0
    for method, path, _ in routes(app):
        allowed = ALLOWED[policy(method, path)]
        body = {"json": {}} if method in {"POST", "PUT"} else {}
        for role, role_headers in headers.items():
            response = await client.request(method, concrete(path), headers=role_headers, **body)
            where = f"{method} {path} as {role}: {response.status_code} {response.text[:200]}"
            assert response.status_code < 500, where
            if role in allowed:
                assert response.status_code not in {401, 403}, where
            elif policy(method, path) == "form":
                assert response.status_code == 403, where  # refused for want of the CSRF token
            elif policy(method, path) == "kiosk":
                refused = response.status_code == 403 or (
                    response.status_code == 303 and response.headers["location"] == "/kiosk"
                )
                assert refused, where  # sent to the sign-in page (GET) or refused for want of the CSRF token
            else:
                assert response.status_code == (401 if role in {"anonymous", "resident"} else 403), where
            checked += 1
    assert checked >= 5 * len(ACCESS)
