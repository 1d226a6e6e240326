"""`/kiosk`: officials sign in with their staff token, check residents in and enter their ballots.

The token is kept in an HTTP-only, same-site cookie scoped to `/kiosk` and checked on every request through
`ballots.staff.authenticate`, like a bearer token on the JSON API; every action goes through the intake services,
which write the audit log. At check-in the official may note the gender and age group the resident chooses to say
(`ballots.participation`), recorded with the check-in.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect

from api.deps import IntakeDep
from api.pages.ballot_form import age_group_choices, ballot_election, gender_choices, profile_of
from api.pages.data import list_batches, list_elections, list_kiosks, load_election
from api.pages.paper_entry import read_numbers
from api.pages.problems import ballot_problems, checkin_problem, credential_problem, not_open
from api.pages.rendering import PageContext, page_context, render
from api.pages.security import CSRF_FIELD, check_csrf
from api.pages.vote import credential_of
from ballots.context import Intake
from ballots.errors import CredentialRejected, InvalidBallot, RateLimited, StaffError
from ballots.intake import kiosk as kiosk_service
from ballots.intake.common import BallotInput
from ballots.staff import authenticate
from ballots.store.models import StaffTokenRow
from pbvote.election import Election
from pbvote.errors import ConflictError
from pbvote.project import Project

__all__ = [
    "KIOSK_PAGES",
    "STAFF_COOKIE",
    "KioskController",
    "NotSignedIn",
    "Official",
    "dashboard",
    "form_number",
    "form_text",
    "kiosk_form",
    "signed_in",
]

STAFF_COOKIE = "pbvote_staff"
AnyRequest = Request[Any, Any, Any]
_OFFICIALS = {"admin", "official"}


async def signed_in(request: AnyRequest, intake: Intake) -> StaffTokenRow | None:
    """The official whose token the request's cookie carries, if it is valid and may work a kiosk."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        staff = await authenticate(intake.sessions, token)
    except StaffError:
        return None
    return staff if staff.role in _OFFICIALS else None


class NotSignedIn(Exception):
    """The request carries no valid kiosk sign-in: the page sends the browser to the sign-in form."""


async def provide_official(request: AnyRequest, intake: IntakeDep) -> StaffTokenRow:
    """The signed-in official, for a kiosk page that needs one.

    Raises:
        NotSignedIn: no cookie, an unknown or revoked token, or a role that does not work a kiosk.
    """
    staff = await signed_in(request, intake)
    if staff is None:
        raise NotSignedIn
    return staff


def _to_sign_in(_: AnyRequest, __: NotSignedIn) -> Response[Any]:
    return Redirect("/kiosk", status_code=303)


Official = NamedDependency[StaffTokenRow]
"""The signed-in official, as a kiosk page handler's `official` parameter."""
KIOSK_PAGES: dict[str, Any] = {
    "dependencies": {"official": Provide(provide_official)},
    "exception_handlers": {NotSignedIn: _to_sign_in},
}
"""A kiosk page controller's settings: a handler taking `official` runs only for a signed-in official (checked
before the form is read); anyone else is sent to the sign-in form."""


async def kiosk_form(request: AnyRequest) -> FormMultiDict:
    """The posted form, once its CSRF token is checked."""
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def form_text(form: FormMultiDict, name: str) -> str:
    """A form field as stripped text; empty when absent."""
    return str(form.get(name) or "").strip()


def form_number(form: FormMultiDict, name: str) -> int:
    """A form field holding a whole number (an id, a paper's place); 0 when absent or not a whole number."""
    text = form_text(form, name)
    return int(text) if text.isdigit() else 0


def _sign_in_page(request: AnyRequest, errors: list[str], status_code: int = 200) -> Response[str]:
    return render(request, "kiosk_signin.html", {"errors": errors, "restart": "/kiosk"}, status_code=status_code)


class KioskController(Controller):
    """The kiosk pages for officials."""

    path = "/kiosk"
    include_in_schema = False
    dependencies = KIOSK_PAGES["dependencies"]
    exception_handlers = KIOSK_PAGES["exception_handlers"]

    @get("/")
    async def home(self, request: AnyRequest, intake: IntakeDep) -> Response[str]:
        """The sign-in form, or the elections to work on."""
        staff = await signed_in(request, intake)
        if staff is None:
            return _sign_in_page(request, [])
        elections = [row for row in await list_elections(intake) if row.status in {"open", "closed"}]
        return render(request, "kiosk_home.html", {"staff": staff, "elections": elections})

    @post("/signin")
    async def sign_in(self, request: AnyRequest, intake: IntakeDep) -> Response[Any]:
        """Check the staff token and keep it in the kiosk's cookie."""
        form = await kiosk_form(request)
        token = str(form.get("token") or "").strip()
        page = page_context(request)
        try:
            staff = await authenticate(intake.sessions, token)
        except StaffError:
            return _sign_in_page(request, [page.gettext("This staff token is not valid.")], 401)
        if staff.role not in _OFFICIALS:
            return _sign_in_page(request, [page.gettext("Only officials and coordinators work at a kiosk.")], 403)
        secure = request.url.scheme == "https"
        cookie = Cookie(key=STAFF_COOKIE, value=token, httponly=True, samesite="strict", secure=secure, path="/kiosk")
        return Redirect("/kiosk", status_code=303, cookies=[cookie])

    @post("/signout")
    async def sign_out(self, request: AnyRequest) -> Response[Any]:
        """Forget the staff token."""
        await kiosk_form(request)
        cookie = Cookie(key=STAFF_COOKIE, value="", max_age=0, httponly=True, samesite="strict", path="/kiosk")
        return Redirect("/kiosk", status_code=303, cookies=[cookie])

    @get("/{election_id:int}")
    async def election(
        self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep, official: Official
    ) -> Response[Any]:
        """Check-in and paper batches of one election."""
        return await dashboard(request, page_context(request), intake, election_id, official, {})

    @post("/{election_id:int}/checkin")
    async def check_in(
        self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep, official: Official
    ) -> Response[Any]:
        """Check a resident in at a kiosk; the page then takes their ballot."""
        form = await kiosk_form(request)
        page = page_context(request)
        kiosk_id = form_number(form, "kiosk")
        try:
            code = await kiosk_service.check_in(
                intake, official, election_id, kiosk_id, credential_of(form), profile=profile_of(form)
            )
        except (CredentialRejected, RateLimited, ConflictError, InvalidBallot) as exc:
            # an election that closed since the page was shown refuses the check-in as a ballot (`not-open`)
            problem = not_open(page) if isinstance(exc, InvalidBallot) else credential_problem(page, exc)
            extra = {"errors": [problem], "kiosk_id": kiosk_id}
            return await dashboard(request, page, intake, election_id, official, extra, status_code=409)
        extra = {"checkin": code, "kiosk_id": kiosk_id}
        return await dashboard(request, page, intake, election_id, official, extra)

    @post("/{election_id:int}/checkin/{checkin:str}/ballot")
    async def enter(
        self,
        request: AnyRequest,
        election_id: FromPath[int],
        checkin: FromPath[str],
        intake: IntakeDep,
        official: Official,
    ) -> Response[Any]:
        """Enter the ballot of a checked-in resident, typed as project numbers."""
        form = await kiosk_form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        kiosk_id = form_number(form, "kiosk")
        district = form_text(form, "district") or None
        keyed = read_numbers(page, election.election, district, form_text(form, "numbers"))
        errors = list(keyed.slips or keyed.warnings)
        if not errors:
            try:
                await kiosk_service.enter_ballot(
                    intake,
                    official,
                    election_id,
                    kiosk_id,
                    checkin=checkin,
                    ballot=BallotInput(keyed.selections, (), district),
                )
            except InvalidBallot as exc:
                errors = ballot_problems(page, election.election, district, keyed.selections, exc)
            except ConflictError:
                errors = [checkin_problem(page, checkin)]
        if errors:
            extra = {"checkin": checkin, "kiosk_id": kiosk_id, "errors": errors, "numbers": form.get("numbers")}
            return await dashboard(request, page, intake, election_id, official, extra, status_code=422)
        done = page.gettext("Ballot recorded. Receipt: %(receipt)s", receipt=checkin)
        return await dashboard(request, page, intake, election_id, official, {"done": done, "kiosk_id": kiosk_id})


async def dashboard(  # noqa: PLR0917 -- the page's parts, each named at every call
    request: AnyRequest,
    page: PageContext,
    intake: Intake,
    election_id: int,
    staff: StaffTokenRow,
    extra: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response[str]:
    """The kiosk page of one election: check-in, paper batches, the numbered projects; `extra` overrides."""
    election = await load_election(intake, election_id)
    values = {
        "restart": f"/kiosk/{election_id}",
        "staff": staff,
        "election_id": election_id,
        "election_name": election.name,
        "election": election.election,
        "kiosks": await list_kiosks(intake, election_id),
        "batches": await list_batches(intake, election_id),
        "projects": _numbered(election.election, None),
        "districts": sorted(election.election.districts),
        "genders": gender_choices(page),
        "age_groups": age_group_choices(page),
        "errors": [],
        "checkin": "",
        "done": "",
        "numbers": "",
        "kiosk_id": 0,
        **extra,
    }
    return render(request, "kiosk_election.html", values, status_code=status_code, page=page)


def _numbered(election: Election, district: str | None) -> list[tuple[int, Project]]:
    return list(enumerate(ballot_election(election, district).projects, start=1))
