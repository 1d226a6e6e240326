"""The public pages: results, live turnout, the receipt check and the participation certificate."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from api.deps import IntakeDep
from api.pages.ballot_form import age_group_choices, gender_choices
from api.pages.data import count_votes, find_receipt, list_elections, load_election, receipt_counted
from api.pages.qr import qr_svg
from api.pages.rendering import PageContext, page_context, render
from api.pages.results_view import result_view
from api.pages.turnout_view import MINIMUM_GROUP, NOT_SAID, TurnoutTable, group_table, suppress
from api.pages.vote import receipt_url
from ballots.participation import ParticipationCount, participation_turnout
from ballots.store import repository as repo

__all__ = ["HomeController", "PublicController"]

AnyRequest = Request[Any, Any, Any]


class PublicController(Controller):
    """Pages anyone may read."""

    path = "/"
    include_in_schema = False

    @get("/results/{election_id:int}")
    async def results(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[str]:
        """Funded projects, the chart, the rule in plain words, the election hash and the record."""
        election = await load_election(intake, election_id)
        page = page_context(request)
        sections: list[tuple[str, object]] = []
        if election.row.result:
            document: dict[str, Any] = json.loads(election.row.result)
            votes, voters = await count_votes(intake, election_id)
            if "districts" in document:
                for index, (district, allocation) in enumerate(sorted(document["districts"].items()), start=1):
                    local = election.election.district_election(district)
                    view = result_view(page, local, allocation, votes, voters[district], chart_id=index)
                    sections.append((district, view))
            else:
                view = result_view(page, election.election, document["allocation"], votes, voters.total())
                sections.append(("", view))
        values = {
            "election_name": election.name,
            "sections": sections,
            "election_hash": election.row.election_hash or "",
            "record_url": f"/api/v1/elections/{election_id}/result",
        }
        return render(request, "results.html", values, page=page)

    @get("/turnout/{election_id:int}")
    async def turnout(self, request: AnyRequest, election_id: FromPath[int], intake: IntakeDep) -> Response[str]:
        """Ballots counted so far by district and by channel, residents by gender and age group; small groups hidden."""
        election = await load_election(intake, election_id)
        page = page_context(request)
        async with intake.sessions.begin() as session:
            rows = await repo.turnout(session, election_id)
            people = await participation_turnout(session, election_id)
        channels = {
            "online": page.gettext("Online"),
            "kiosk": page.gettext("At a kiosk"),
            "paper": page.gettext("On paper"),
        }
        tables = []
        if election.election.districts:
            by_district = [(district or "-", count) for district, _, count in rows]
            tables.append(suppress(by_district, caption=page.gettext("By district"), heading=page.gettext("District")))
        by_channel = [(channels.get(channel, channel), count) for _, channel, count in rows]
        tables.append(suppress(by_channel, caption=page.gettext("By channel"), heading=page.gettext("Channel")))
        values = {
            "election_name": election.name,
            "total": sum(count for _, _, count in rows),
            "tables": tables,
            "participants": sum(p.residents for p in people),
            "group_tables": _group_tables(page, people),
            "minimum": MINIMUM_GROUP,
        }
        return render(request, "turnout.html", values, page=page)

    @get("/receipt")
    async def receipt(
        self, request: AnyRequest, intake: IntakeDep, election: FromQuery[str] = "", code: FromQuery[str] = ""
    ) -> Response[str]:
        """Enter a receipt code and see whether a counted ballot carries it, and in which election.

        The code alone is enough; `election` (a link from a receipt or results page fills it in) is only shown.
        """
        code = code.strip()
        row = await find_receipt(intake, code) if code else None
        found = {"election_id": row.id, "election_name": row.name} if row is not None else None
        number = election.strip()
        values = {"code": code, "election": number if number.isdigit() else "", "found": found}
        return render(request, "receipt.html", values)

    @get("/vote/{election_id:int}/receipt/{receipt:str}/certificate")
    async def certificate(
        self, request: AnyRequest, election_id: FromPath[int], receipt: FromPath[str], intake: IntakeDep
    ) -> Response[str]:
        """A printable participation certificate (it shows the receipt, never the choices)."""
        election = await load_election(intake, election_id)
        page = page_context(request)
        if not await receipt_counted(intake, election_id, receipt):
            message = page.gettext("No counted ballot has this receipt")
            return render(
                request, "message.html", {"heading": message, "message": message, "back": ""}, status_code=404
            )
        check_url = receipt_url(request, election_id, receipt)
        values = {
            "election_name": election.name,
            "receipt": receipt,
            "check_url": check_url,
            "qr_svg": qr_svg(check_url, page.gettext("QR code linking to the receipt check page")),
        }
        return render(request, "certificate.html", values, page=page)


def _group_tables(page: PageContext, people: list[ParticipationCount]) -> list[TurnoutTable]:
    not_said = (NOT_SAID, page.gettext("Not said"))
    by_gender = group_table(
        [(p.gender, p.residents) for p in people],
        [*gender_choices(page), not_said],
        caption=page.gettext("By gender"),
        heading=page.gettext("Gender"),
    )
    by_age = group_table(
        [(p.age_group, p.residents) for p in people],
        [*age_group_choices(page), not_said],
        caption=page.gettext("By age group"),
        heading=page.gettext("Age group"),
    )
    return [by_gender, by_age]


class HomeController(Controller):
    """The front page: every election, with its pages."""

    path = "/"
    include_in_schema = False

    @get("/")
    async def home(self, request: AnyRequest, intake: IntakeDep) -> Response[str]:
        """Every election with links to vote, results and turnout."""
        elections = await list_elections(intake)
        return render(request, "home.html", {"elections": [row for row in elections if row.status != "draft"]})
