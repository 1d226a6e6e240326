"""`/api/v1/elections`: define, open, close, tally; publish the definition, turnout, ballots and result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody, MultipartBody
from sqlalchemy import select

from api.auth.guards import ADMIN, OBSERVER, StaffDep
from api.deps import IntakeDep, RowId
from api.elections.schemas import (
    ElectionCreate,
    ElectionOut,
    ElectionSummary,
    GroupCount,
    TurnoutOut,
    TurnoutRow,
)
from api.errors import PUBLIC_ERRORS, STAFF_ERRORS, UPLOAD_ERRORS
from api.pages.turnout_view import MINIMUM_GROUP, breakdown
from ballots import elections as service
from ballots.participation import AGE_GROUPS, GENDERS, participation_turnout
from ballots.store import repository as repo
from ballots.store.models import ElectionRow
from pbvote.ballot import Ballot
from pbvote.canonical import election_from_json
from pbvote.errors import ConflictError, InvalidElection, NotFound
from pbvote.pabulib import parse_pb, write_pb
from pbvote.project import ProjectId

__all__ = ["ElectionController", "PbUpload"]

PB_FILE = ResponseSpec(str, media_type="text/plain", description="The counted ballots as a pabulib `.pb` file.")
"""The export's answer is text (set on the response itself, so that errors stay JSON)."""


@dataclass
class PbUpload:
    """A multipart upload of a pabulib `.pb` file (field `file`)."""

    file: UploadFile


class ElectionController(Controller):
    """Elections and their lifecycle."""

    path = "/api/v1/elections"
    tags = ["elections"]  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/", dependencies={"staff": ADMIN}, responses=UPLOAD_ERRORS)
    async def create(self, *, data: JSONBody[ElectionCreate], intake: IntakeDep, staff: StaffDep) -> ElectionOut:
        """Create an election (a draft) from its JSON definition."""
        row = await service.create_election(
            intake,
            staff,
            name=data.name,
            election=election_from_json(data.definition.model_dump()),
            rule=data.rule,
            rule_options=data.rule_options,
            allow_revote=data.allow_revote,
            min_age=data.eligibility.min_age,
            reference_year=data.eligibility.reference_year,
        )
        return ElectionOut.of(row)

    @post("/pabulib", dependencies={"staff": ADMIN}, responses=UPLOAD_ERRORS)
    async def create_from_pb(
        self,
        *,
        data: MultipartBody[PbUpload],
        intake: IntakeDep,
        staff: StaffDep,
        name: FromQuery[str],
        rule: FromQuery[str],
        allow_revote: FromQuery[bool] = False,
    ) -> ElectionOut:
        """Create an election (a draft) from an uploaded `.pb` file; its ballots, if any, are ignored."""
        raw = await data.file.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidElection(f"{data.file.filename}: the file is not valid UTF-8") from exc
        pb = parse_pb(text, source=data.file.filename or "upload.pb")
        row = await service.create_election(
            intake, staff, name=name, election=pb.election, rule=rule, rule_options={}, allow_revote=allow_revote
        )
        return ElectionOut.of(row)

    @get("/")
    async def list_elections(self, *, intake: IntakeDep) -> list[ElectionSummary]:
        """Every election, newest first: id, name, status and hash."""
        async with intake.sessions.begin() as session:
            rows = (await session.execute(select(ElectionRow).order_by(ElectionRow.id.desc()))).scalars().all()
        return [ElectionSummary(id=r.id, name=r.name, status=r.status, election_hash=r.election_hash) for r in rows]

    @get("/{election_id:int}", responses=PUBLIC_ERRORS)
    async def read(self, *, election_id: RowId, intake: IntakeDep) -> ElectionOut:
        """The election as published: definition, status, `election_hash` once open."""
        async with intake.sessions.begin() as session:
            return ElectionOut.of(await repo.get_election(session, election_id))

    @post("/{election_id:int}/open", status_code=200, dependencies={"staff": ADMIN}, responses=STAFF_ERRORS)
    async def open_voting(self, *, election_id: RowId, intake: IntakeDep, staff: StaffDep) -> ElectionOut:
        """Open voting; the definition is frozen and its hash published."""
        return ElectionOut.of(await service.open_election(intake, staff, election_id))

    @post("/{election_id:int}/close", status_code=200, dependencies={"staff": ADMIN}, responses=STAFF_ERRORS)
    async def close_voting(self, *, election_id: RowId, intake: IntakeDep, staff: StaffDep) -> ElectionOut:
        """Close voting."""
        return ElectionOut.of(await service.close_election(intake, staff, election_id))

    @post("/{election_id:int}/tally", status_code=200, dependencies={"staff": ADMIN}, responses=STAFF_ERRORS)
    async def tally(self, *, election_id: RowId, intake: IntakeDep, staff: StaffDep) -> dict[str, Any]:
        """Run the election's rule on the counted ballots and store the result."""
        return await service.tally_election(intake, staff, election_id)

    @get("/{election_id:int}/result", responses=PUBLIC_ERRORS)
    async def result(self, *, election_id: RowId, intake: IntakeDep) -> dict[str, Any]:
        """The stored result of a tallied election."""
        async with intake.sessions.begin() as session:
            row = await repo.get_election(session, election_id)
        if row.result is None:
            raise NotFound(f"election {election_id} is {row.status}; it has no result yet")
        value: dict[str, Any] = json.loads(row.result)
        return value

    @get("/{election_id:int}/turnout", responses=PUBLIC_ERRORS)
    async def turnout(self, *, election_id: RowId, intake: IntakeDep) -> TurnoutOut:
        """Counted ballots by district and channel; residents by gender and by age group, groups under 10 hidden."""
        async with intake.sessions.begin() as session:
            row = await repo.get_election(session, election_id)
            counts = await repo.turnout(session, election_id)
            people = await participation_turnout(session, election_id)
        rows = [TurnoutRow(district=d, channel=c, ballots=n) for d, c, n in counts]
        by_gender = breakdown([(p.gender, p.residents) for p in people], GENDERS)
        by_age = breakdown([(p.age_group, p.residents) for p in people], AGE_GROUPS)
        return TurnoutOut(
            election_id=election_id,
            status=row.status,
            total=sum(n for _, _, n in counts),
            by_district_and_channel=rows,
            participants=sum(p.residents for p in people),
            minimum_group=MINIMUM_GROUP,
            by_gender=[GroupCount(group=g, residents=n) for g, n in by_gender],
            by_age_group=[GroupCount(group=g, residents=n) for g, n in by_age],
        )

    @get(
        "/{election_id:int}/export.pb",
        dependencies={"staff": OBSERVER},
        responses=STAFF_ERRORS | {200: PB_FILE},
    )
    async def export_pb(
        self,
        *,
        election_id: RowId,
        intake: IntakeDep,
        staff: StaffDep,  # noqa: ARG002 -- the dependency is the guard
        district: FromQuery[str | None] = None,
    ) -> Response[str]:
        """The counted ballots as a pabulib `.pb` file (one district's, for an election with districts).

        `pbvote tally FILE.pb --rule RULE` on it recomputes the stored result.
        """
        async with intake.sessions.begin() as session:
            row = await repo.get_election(session, election_id)
            if row.status not in {"closed", "tallied"}:
                raise ConflictError(f"election {election_id} is {row.status}; ballots are exported after closing")
            ballots = await repo.counted_ballots(session, election_id)
        election = intake.election(row)
        if election.districts and district not in election.districts:
            raise InvalidElection(f"name one district of {', '.join(sorted(election.districts))} (?district=...)")
        if election.districts and district is not None:
            election = election.district_election(district)
        content = sorted(
            (tuple(json.loads(b.selections)), tuple(json.loads(b.points))) for b in ballots if b.district == district
        )
        profile = [Ballot(str(n), tuple(map(ProjectId, s)), p) for n, (s, p) in enumerate(content, start=1)]
        return Response(write_pb(election, profile), media_type="text/plain")

    @get("/{election_id:int}/export", dependencies={"staff": OBSERVER}, responses=STAFF_ERRORS)
    async def export(self, *, election_id: RowId, intake: IntakeDep, staff: StaffDep) -> list[dict[str, Any]]:  # noqa: ARG002 -- the dependency is the guard
        """Every counted ballot's content, once voting is closed, in content order (no receipts, no times)."""
        async with intake.sessions.begin() as session:
            row = await repo.get_election(session, election_id)
            if row.status not in {"closed", "tallied"}:
                raise ConflictError(f"election {election_id} is {row.status}; ballots are exported after closing")
            ballots = await repo.counted_ballots(session, election_id)
        content = [
            {"district": b.district, "selections": json.loads(b.selections), "points": json.loads(b.points)}
            for b in ballots
        ]
        return sorted(content, key=lambda b: json.dumps(b, sort_keys=True))
