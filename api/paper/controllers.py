"""`/api/v1/elections/{id}/batches`: paper ballots keyed twice, reconciled by a coordinator."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import JSONBody

from api.auth.guards import ADMIN, OFFICIAL, StaffDep
from api.deps import IntakeDep, RowId
from api.errors import STAFF_ERRORS, UPLOAD_ERRORS
from api.paper.schemas import BatchIn, BatchOut, KeyedOut, MismatchOut, PaperIn, ReconciledOut
from ballots.intake import paper

__all__ = ["PaperController"]


class PaperController(Controller):
    """Paper batches."""

    path = "/api/v1/elections/{election_id:int}/batches"
    tags = ["paper"]  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/", dependencies={"staff": OFFICIAL}, responses=UPLOAD_ERRORS)
    async def open_batch(
        self, *, election_id: RowId, data: JSONBody[BatchIn], intake: IntakeDep, staff: StaffDep
    ) -> BatchOut:
        """Open a batch of papers numbered 1 to `envelope_count`."""
        row = await paper.open_batch(
            intake, staff, election_id, label=data.label, envelope_count=data.envelope_count, kiosk_id=data.kiosk_id
        )
        return BatchOut(
            id=row.id, election_id=election_id, label=row.label, envelope_count=row.envelope_count, status=row.status
        )

    @put("/{batch_id:int}/papers/{seq:int}", dependencies={"staff": OFFICIAL}, responses=UPLOAD_ERRORS)
    async def key(
        self,
        *,
        election_id: RowId,
        batch_id: RowId,
        seq: RowId,
        data: JSONBody[PaperIn],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> KeyedOut:
        """Key one paper (pass 1 for the first official, pass 2 for a second one)."""
        number = await paper.key_paper(intake, staff, election_id, batch_id, seq=seq, content=data.to_content())
        return KeyedOut(seq=seq, pass_no=number)

    @get("/{batch_id:int}/mismatches", dependencies={"staff": ADMIN}, responses=STAFF_ERRORS)
    async def mismatches(
        self,
        *,
        election_id: RowId,
        batch_id: RowId,
        intake: IntakeDep,
        staff: StaffDep,  # noqa: ARG002 -- the dependency is the guard
    ) -> list[MismatchOut]:
        """The papers whose keyings disagree or are missing."""
        found = await paper.mismatches(intake, election_id, batch_id)
        return [MismatchOut(seq=m.seq, problem=m.problem, keyings=m.keyings, resolved=m.resolved) for m in found]

    @put("/{batch_id:int}/papers/{seq:int}/resolution", dependencies={"staff": ADMIN}, responses=UPLOAD_ERRORS)
    async def resolve(
        self,
        *,
        election_id: RowId,
        batch_id: RowId,
        seq: RowId,
        data: JSONBody[PaperIn],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> KeyedOut:
        """The coordinator's reading of a paper, overriding both keyings."""
        await paper.resolve_paper(intake, staff, election_id, batch_id, seq=seq, content=data.to_content())
        return KeyedOut(seq=seq, pass_no=3)

    @post("/{batch_id:int}/reconcile", status_code=200, dependencies={"staff": ADMIN}, responses=STAFF_ERRORS)
    async def reconcile(
        self, *, election_id: RowId, batch_id: RowId, intake: IntakeDep, staff: StaffDep
    ) -> ReconciledOut:
        """Count the batch, once every paper is keyed twice alike or resolved."""
        counts = await paper.reconcile_batch(intake, staff, election_id, batch_id)
        return ReconciledOut(batch_id=batch_id, **counts)
