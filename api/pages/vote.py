"""`/vote/{election}`: a resident signs in with a voting code or census identifier, chooses, reviews, confirms.

The review step also asks, optionally, the resident's gender and age group ("prefer not to say" is the
default): they count only in turnout by gender and age group (`ballots.participation`), never with the ballot.
Each step is a plain form POST carrying the credential in a hidden field, so the whole path works without
JavaScript; the server checks every choice with the same rules as the intake and shows the same messages as the
page's script. The ballot is stored by `ballots.intake.online.submit_online`, with an idempotency key per review
so a double click stores one ballot.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Redirect

from api.deps import IntakeDep
from api.pages.ballot_form import age_group_choices, ballot_view, check_choice, gender_choices, profile_of
from api.pages.data import ElectionPage, load_election, receipt_counted
from api.pages.problems import ballot_problems, credential_problem, not_open
from api.pages.qr import qr_svg
from api.pages.rendering import PageContext, page_context, render
from api.pages.security import CSRF_FIELD, check_csrf
from ballots.context import Intake
from ballots.errors import CredentialRejected, InvalidBallot, RateLimited
from ballots.intake.common import BallotInput, Credential, identify, voter_link
from ballots.intake.online import submit_online
from ballots.store import repository as repo
from pbvote.errors import ConflictError

__all__ = ["VoteController", "credential_of", "receipt_url"]

AnyRequest = Request[Any, Any, Any]


class VoteController(Controller):
    """The resident's voting pages."""

    path = "/vote/{election_id:int}"
    include_in_schema = False

    @get("/")
    async def start(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[str]:
        """The sign-in step: credential and, where the election has several, the district."""
        election = await load_election(intake, election_id)
        return _start_page(request, page_context(request), election, [], {})

    @post("/ballot")
    async def ballot(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[str]:
        """Check the credential against the roll, then show the ballot (again, with earlier choices ticked)."""
        form = await _form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        _, district, problem = await _sign_in(page, intake, election, form)
        if problem:
            return _start_page(request, page, election, [problem], form, status_code=403)
        return _ballot_page(request, page, election, form, district, form.getall("project", []), [])

    @post("/review")
    async def review(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[str]:
        """Show the chosen projects to confirm, or the ballot again with every reason it cannot be cast."""
        form = await _form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        chosen = form.getall("project", [])
        district = _district(election, form)
        errors = check_choice(page, election.election, district, chosen)
        if errors:
            return _ballot_page(request, page, election, form, district, chosen, errors, status_code=422)
        return _review_page(request, page, election, form, district, chosen)

    @post("/confirm")
    async def confirm(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[Any]:
        """Store the ballot and go to its receipt."""
        form = await _form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        chosen = form.getall("project", [])
        district = _district(election, form)
        ballot = BallotInput(tuple(chosen), (), district, profile_of(form))
        try:
            answer = await submit_online(
                intake, election_id, credential_of(form), ballot, form.get("submission") or None
            )
        except InvalidBallot as exc:
            errors = ballot_problems(page, election.election, district, chosen, exc)
            return _ballot_page(request, page, election, form, district, chosen, errors, status_code=422)
        except (CredentialRejected, RateLimited, ConflictError) as exc:
            return _start_page(request, page, election, [credential_problem(page, exc)], {}, status_code=409)
        return Redirect(f"/vote/{election_id}/receipt/{answer.body['receipt']}", status_code=303)

    @get("/receipt/{receipt:str}")
    async def receipt(
        self, request: AnyRequest, election_id: FromPath[int], receipt: FromPath[str], intake: IntakeDep
    ) -> Response[str]:
        """The thank-you page: the receipt code, its QR code and the certificate link."""
        election = await load_election(intake, election_id)
        page = page_context(request)
        if not await receipt_counted(intake, election_id, receipt):
            message = page.gettext("No counted ballot has this receipt")
            missing = {"heading": message, "message": message, "back": f"/vote/{election_id}"}
            return render(request, "message.html", missing, status_code=404, page=page)
        check_url = receipt_url(request, election_id, receipt)
        values = {
            "election_name": election.name,
            "receipt": receipt,
            "check_url": check_url,
            "election_id": election_id,
            "qr_svg": qr_svg(check_url, page.gettext("QR code linking to the receipt check page")),
        }
        return render(request, "vote_receipt.html", values, page=page)


def receipt_url(request: AnyRequest, election_id: int, receipt: str) -> str:
    """The absolute address of a receipt's check page (the QR code's target)."""
    base = str(request.base_url).rstrip("/")
    return f"{base}/receipt?election={election_id}&code={receipt}"


async def _form(request: AnyRequest) -> FormMultiDict:
    form = await request.form()
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def credential_of(form: FormMultiDict) -> Credential:
    """The credential a form carries: a voting code, or a census identifier with its birth year."""
    kind: Literal["code", "census"] = "census" if form.get("kind") == "census" else "code"
    year = str(form.get("birth_year") or "").strip()
    return Credential(kind, str(form.get("credential") or "").strip(), int(year) if year.isdigit() else None)


def _district(election: ElectionPage, form: FormMultiDict) -> str | None:
    district = str(form.get("district") or "")
    return district if district in election.election.districts else None


async def _sign_in(
    page: PageContext, intake: Intake, election: ElectionPage, form: FormMultiDict
) -> tuple[Credential, str | None, str]:
    """The credential, the resident's district, and the problem to show if they cannot vote."""
    credential = credential_of(form)
    if not credential.value:
        return credential, None, page.gettext("Enter your voting code or census identifier.")
    if election.row.status != "open":
        return credential, None, not_open(page)
    try:
        async with intake.sessions.begin() as session:
            voter = await identify(intake, session, election.row, credential)
            earlier = await repo.voter_ballot(session, election.id, voter_link(intake, election.id, voter))
    except (CredentialRejected, RateLimited) as exc:
        return credential, None, credential_problem(page, exc)
    # tell at once, not after the choosing, that this resident cannot vote (again) here
    if earlier is not None and (earlier.channel != "online" or not election.row.allow_revote):
        return credential, None, credential_problem(page, ConflictError("voted"))
    district = voter.district or _district(election, form)
    if election.election.districts and district is None:
        return credential, None, page.gettext("Choose your district.")
    return credential, district, ""


def _start_page(
    request: AnyRequest,
    page: PageContext,
    election: ElectionPage,
    errors: list[str],
    form: FormMultiDict | dict[str, str],
    *,
    status_code: int = 200,
) -> Response[str]:
    values = {
        "election_id": election.id,
        "restart": f"/vote/{election.id}",
        "election_name": election.name,
        "is_open": election.row.status == "open",
        "districts": sorted(election.election.districts),
        "district": form.get("district") or "",
        "kind": form.get("kind") or "code",
        "credential": form.get("credential") or "",
        "birth_year": form.get("birth_year") or "",
        "errors": errors,
    }
    return render(request, "vote_start.html", values, status_code=status_code, page=page)


def _hidden(election: ElectionPage, form: FormMultiDict, district: str | None) -> dict[str, object]:
    return {
        "election_id": election.id,
        "restart": f"/vote/{election.id}",
        "election_name": election.name,
        "credential": form.get("credential") or "",
        "kind": form.get("kind") or "code",
        "birth_year": form.get("birth_year") or "",
        "district": district or "",
        "currency": election.election.currency,
    }


def _ballot_page(  # noqa: PLR0917 -- the page's parts, each named at every call
    request: AnyRequest,
    page: PageContext,
    election: ElectionPage,
    form: FormMultiDict,
    district: str | None,
    chosen: list[str],
    errors: list[str],
    *,
    status_code: int = 200,
) -> Response[str]:
    view = ballot_view(page, election.election, district, chosen)
    values = {**_hidden(election, form, district), "view": view, "errors": errors}
    return render(request, "vote_ballot.html", values, status_code=status_code, page=page)


def _review_page(  # noqa: PLR0917 -- the page's parts, each named at every call
    request: AnyRequest,
    page: PageContext,
    election: ElectionPage,
    form: FormMultiDict,
    district: str | None,
    chosen: list[str],
) -> Response[str]:
    view = ballot_view(page, election.election, district, chosen)
    picked = [card for card in view.cards if card.chosen]
    total = page.money(sum(card.cost for card in picked), election.election.currency)
    values = {
        **_hidden(election, form, district),
        "chosen": picked,
        "total_text": total,
        "allow_revote": election.row.allow_revote,
        "genders": gender_choices(page),
        "age_groups": age_group_choices(page),
        "submission": str(uuid.uuid4()),
        "errors": [],
    }
    return render(request, "vote_review.html", values, page=page)
