"""`/kiosk/{election}/batches`: paper batches keyed twice, blind, by two officials; a coordinator resolves mismatches.

An official types each paper's project numbers and moves on to the next paper at once. The batch page shows its
status as counts only, so the second official never sees the first keying; a coordinator (admin) sees the papers
whose keyings differ, resolves each, and reconciles the batch, all through `ballots.intake.paper`.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from api.deps import IntakeDep
from api.pages.ballot_form import ballot_election
from api.pages.data import get_batch, load_election
from api.pages.kiosk import KIOSK_PAGES, Official, dashboard, form_number, form_text, kiosk_form
from api.pages.paper_entry import read_numbers
from api.pages.problems import paper_problem
from api.pages.rendering import PageContext, page_context, render
from ballots.context import Intake
from ballots.errors import Forbidden
from ballots.intake import paper
from ballots.intake.common import BallotInput
from ballots.store.models import StaffTokenRow
from pbvote.errors import ConflictError, InvalidElection, PbvoteError
from pbvote.project import ProjectId

__all__ = ["PaperController"]

AnyRequest = Request[Any, Any, Any]


class PaperController(Controller):
    """Paper batches at the kiosk."""

    path = "/kiosk/{election_id:int}/batches"
    include_in_schema = False
    dependencies = KIOSK_PAGES["dependencies"]
    exception_handlers = KIOSK_PAGES["exception_handlers"]

    @post("/")
    async def open(
        self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep, official: Official
    ) -> Response[Any]:
        """Open a batch with its envelope count."""
        form = await kiosk_form(request)
        page = page_context(request)
        label = form_text(form, "label") or page.gettext("Batch")
        envelopes, kiosk_id = form_number(form, "envelopes"), form_number(form, "kiosk") or None
        try:
            batch = await paper.open_batch(
                intake, official, election_id, label=label, envelope_count=envelopes, kiosk_id=kiosk_id
            )
        except (ConflictError, InvalidElection) as exc:
            problem = (
                page.gettext("The number of envelopes must be at least 1.")
                if isinstance(exc, InvalidElection)
                else page.gettext("Paper batches are opened only while the election is open or closed.")
            )
            extra = {"errors": [problem], "kiosk_id": kiosk_id or 0}
            return await dashboard(request, page, intake, election_id, official, extra, status_code=409)
        return Redirect(f"/kiosk/{election_id}/batches/{batch.id}", status_code=303)

    @get("/{batch_id:int}")
    async def batch(  # noqa: PLR0917 -- Litestar fills path, query and dependency values by name
        self,
        request: AnyRequest,
        election_id: FromPath[int],
        batch_id: FromPath[int],
        intake: IntakeDep,
        official: Official,
        seq: FromQuery[int] = 1,
        district: FromQuery[str] = "",
    ) -> Response[Any]:
        """The keying form for paper `seq`, the batch's status, and for a coordinator its mismatches."""
        page = page_context(request)
        extra = {"seq": seq, "district": district}
        return await _batch_page(request, page, intake, official, election_id, batch_id, extra)

    @post("/{batch_id:int}/papers")
    async def key(
        self,
        request: AnyRequest,
        election_id: FromPath[int],
        batch_id: FromPath[int],
        intake: IntakeDep,
        official: Official,
    ) -> Response[Any]:
        """Key one paper, then show the next one."""
        form = await kiosk_form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        seq = form_number(form, "seq")
        district = form_text(form, "district") or None
        spoiled = form_text(form, "spoiled_reason") if form.get("spoiled") else None
        typed = str(form.get("numbers") or "")
        keyed = read_numbers(page, election.election, district, "" if spoiled is not None else typed)
        extra: dict[str, Any] = {"seq": seq, "district": district or "", "numbers": typed}
        if keyed.slips:
            extra["errors"] = list(keyed.slips)
            return await _batch_page(request, page, intake, official, election_id, batch_id, extra, status_code=422)
        content = paper.PaperContent(BallotInput(keyed.selections, (), district), spoiled or None)
        try:
            number = await paper.key_paper(intake, official, election_id, batch_id, seq=seq, content=content)
        except (ConflictError, InvalidElection) as exc:
            extra["errors"] = [await _problem(intake, page, exc, election_id, batch_id, seq)]
            return await _batch_page(request, page, intake, official, election_id, batch_id, extra, status_code=409)
        saved = page.gettext("Paper %(seq)s saved (keying %(number)s).", seq=seq, number=number)
        notes = [saved, *keyed.warnings]
        next_extra = {"seq": seq + 1, "district": district or "", "saved": notes}
        return await _batch_page(request, page, intake, official, election_id, batch_id, next_extra)

    @post("/{batch_id:int}/papers/{seq:int}/resolution")
    async def resolve(
        self,
        *,
        request: AnyRequest,
        election_id: FromPath[int],
        batch_id: FromPath[int],
        seq: FromPath[int],
        intake: IntakeDep,
        official: Official,
    ) -> Response[Any]:
        """A coordinator's reading of a paper whose keyings differ."""
        form = await kiosk_form(request)
        page = page_context(request)
        election = await load_election(intake, election_id)
        district = form_text(form, "district") or None
        spoiled = form_text(form, "spoiled_reason") if form.get("spoiled") else None
        keyed = read_numbers(page, election.election, district, "" if spoiled is not None else str(form.get("numbers")))
        if keyed.slips:
            extra = {"errors": list(keyed.slips)}
            return await _batch_page(request, page, intake, official, election_id, batch_id, extra, status_code=422)
        content = paper.PaperContent(BallotInput(keyed.selections, (), district), spoiled or None)
        try:
            await paper.resolve_paper(intake, official, election_id, batch_id, seq=seq, content=content)
        except (Forbidden, ConflictError, InvalidElection) as exc:
            extra = {"errors": [await _problem(intake, page, exc, election_id, batch_id, seq)]}
            return await _batch_page(request, page, intake, official, election_id, batch_id, extra, status_code=409)
        return Redirect(f"/kiosk/{election_id}/batches/{batch_id}", status_code=303)

    @post("/{batch_id:int}/reconcile")
    async def reconcile(
        self,
        request: AnyRequest,
        election_id: FromPath[int],
        batch_id: FromPath[int],
        intake: IntakeDep,
        official: Official,
    ) -> Response[Any]:
        """Count a batch whose papers are all keyed twice alike or resolved (coordinators only)."""
        await kiosk_form(request)
        page = page_context(request)
        try:
            counts = await paper.reconcile_batch(intake, official, election_id, batch_id)
        except (Forbidden, ConflictError) as exc:
            extra = {"errors": [await _problem(intake, page, exc, election_id, batch_id)]}
            return await _batch_page(request, page, intake, official, election_id, batch_id, extra, status_code=409)
        done = page.gettext(
            "Batch reconciled: %(counted)s counted, %(spoiled)s spoiled, %(invalid)s invalid.",
            counted=counts["counted"],
            spoiled=counts["spoiled"],
            invalid=counts["invalid"],
        )
        return await _batch_page(request, page, intake, official, election_id, batch_id, {"saved": [done]})


async def _problem(  # noqa: PLR0917 -- the refusal and where it happened, each named at every call
    intake: Intake, page: PageContext, exc: PbvoteError, election_id: int, batch_id: int, seq: int | None = None
) -> str:
    """Why a keying, resolution (`seq`) or reconciliation was refused, told from the batch as it is now."""
    batch = await get_batch(intake, election_id, batch_id)
    return paper_problem(page, exc, batch, await paper.mismatches(intake, election_id, batch_id), seq)


async def _batch_page(  # noqa: PLR0917 -- the page's parts, each named at every call
    request: AnyRequest,
    page: PageContext,
    intake: Intake,
    staff: StaffTokenRow,
    election_id: int,
    batch_id: int,
    extra: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response[str]:
    election = await load_election(intake, election_id)
    batch = await get_batch(intake, election_id, batch_id)
    problems = await paper.mismatches(intake, election_id, batch_id)
    district = str(extra.get("district") or "") or None
    numbers = {p.id: n for n, p in enumerate(ballot_election(election.election, district).projects, start=1)}
    values = {
        "restart": f"/kiosk/{election_id}/batches/{batch_id}",
        "staff": staff,
        "election_id": election_id,
        "election_name": election.name,
        "batch": batch,
        "coordinator": staff.role == "admin",
        "projects": list(enumerate(ballot_election(election.election, district).projects, start=1)),
        "districts": sorted(election.election.districts),
        "limit": election.election.ballot_rules.max_sum_cost,
        "max_length": election.election.ballot_rules.max_length,
        "currency": election.election.currency,
        "missing_first": sum(1 for m in problems if 1 not in m.keyings),
        "missing_second": sum(1 for m in problems if 2 not in m.keyings),  # noqa: PLR2004 -- pass 2
        "differ": [_mismatch(page, m, numbers) for m in problems if 1 in m.keyings and 2 in m.keyings],  # noqa: PLR2004
        "errors": [],
        "saved": [],
        "numbers": "",
        "seq": 1,
        "district": "",
        **extra,
    }
    values["seq"] = min(max(int(values["seq"]), 1), batch.envelope_count)
    return render(request, "kiosk_batch.html", values, status_code=status_code, page=page)


def _mismatch(page: PageContext, problem: paper.Mismatch, numbers: dict[ProjectId, int]) -> dict[str, Any]:
    """A differing paper as the coordinator reads it: each keying as project numbers, or why it is spoiled."""

    def typed(content: str) -> str:
        value = json.loads(content)
        if value.get("spoiled") is not None:
            return page.gettext("Spoiled: %(reason)s", reason=value["spoiled"] or "-")
        return " ".join(str(numbers.get(ProjectId(p), p)) for p in value["selections"]) or "-"

    return {
        "seq": problem.seq,
        "first": typed(problem.keyings[1]),
        "second": typed(problem.keyings[2]),
        "resolved": problem.resolved,
    }
