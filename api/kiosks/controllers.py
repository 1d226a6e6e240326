"""`/api/v1/elections/{id}/kiosks`: register kiosks, check residents in, enter their ballots, sync offline queues."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from api.auth.guards import ADMIN, OFFICIAL, StaffDep
from api.deps import IntakeDep, RowId
from api.errors import BALLOT_ERRORS, UPLOAD_ERRORS
from api.kiosks.schemas import CheckInIn, CheckInOut, KioskIn, KioskOut, SyncIn, SyncItemOut
from api.voting.schemas import BallotContent, ReceiptOut
from ballots import elections as service
from ballots.intake import kiosk
from ballots.intake.common import ballot_id_of
from ballots.participation import Profile
from ballots.store import repository as repo

__all__ = ["KioskController"]


class KioskController(Controller):
    """Kiosks (polling stations)."""

    path = "/api/v1/elections/{election_id:int}/kiosks"
    tags = ["kiosks"]  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/", dependencies={"staff": ADMIN}, responses=UPLOAD_ERRORS)
    async def register(
        self, *, election_id: RowId, data: JSONBody[KioskIn], intake: IntakeDep, staff: StaffDep
    ) -> KioskOut:
        """Register a kiosk."""
        row = await service.register_kiosk(intake, staff, election_id, data.name)
        return KioskOut(id=row.id, election_id=row.election_id, name=row.name)

    @post("/{kiosk_id:int}/checkins", dependencies={"staff": OFFICIAL}, responses=BALLOT_ERRORS)
    async def check_in(
        self,
        *,
        election_id: RowId,
        kiosk_id: RowId,
        data: JSONBody[CheckInIn],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> CheckInOut:
        """Check a resident in; they can no longer vote online. Their optional `profile` counts in turnout only."""
        profile = data.profile.to_profile() if data.profile is not None else Profile()
        code = await kiosk.check_in(
            intake, staff, election_id, kiosk_id, data.credential.to_credential(), profile=profile
        )
        return CheckInOut(checkin=code, kiosk_id=kiosk_id)

    @post("/{kiosk_id:int}/checkins/{checkin:str}/ballot", dependencies={"staff": OFFICIAL}, responses=BALLOT_ERRORS)
    async def enter(
        self,
        *,
        election_id: RowId,
        kiosk_id: RowId,
        checkin: FromPath[str],
        data: JSONBody[BallotContent],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> ReceiptOut:
        """Enter the ballot of a checked-in resident."""
        receipt = await kiosk.enter_ballot(
            intake, staff, election_id, kiosk_id, checkin=checkin, ballot=data.to_input()
        )
        async with intake.sessions.begin() as session:
            row = await repo.get_election(session, election_id)
            ballot_id = ballot_id_of(row, receipt)
            ballot = None if ballot_id is None else await repo.ballot_by_id(session, election_id, ballot_id)
        district = ballot.district if ballot is not None else None
        return ReceiptOut(
            receipt=receipt,
            election_id=election_id,
            district=district,
            channel="kiosk",
            election_hash=row.election_hash,
        )

    @post("/{kiosk_id:int}/sync", status_code=200, dependencies={"staff": OFFICIAL}, responses=BALLOT_ERRORS)
    async def sync(
        self,
        *,
        election_id: RowId,
        kiosk_id: RowId,
        data: JSONBody[SyncIn],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> list[SyncItemOut]:
        """Store a kiosk's offline queue; resending it stores nothing twice."""
        results = await kiosk.sync_queue(intake, staff, election_id, kiosk_id, [b.to_queued() for b in data.ballots])
        return [SyncItemOut(uuid=r.uuid, status=r.status, receipt=r.receipt, reason=r.reason) for r in results]
