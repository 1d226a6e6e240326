"""`GET /api/v1/audit`: the append-only log of staff actions (admins and observers)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from sqlalchemy import select

from api.auth.guards import OBSERVER, StaffDep
from api.deps import IntakeDep, RowIdQuery
from api.errors import STAFF_ERRORS
from ballots.store.models import AuditEntry

__all__ = ["AuditController"]


class AuditController(Controller):
    """The audit log."""

    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012 -- Litestar's declared class attribute

    @get("/", dependencies={"staff": OBSERVER}, responses=STAFF_ERRORS)
    async def read(
        self,
        *,
        intake: IntakeDep,
        staff: StaffDep,  # noqa: ARG002 -- the dependency is the guard
        election_id: RowIdQuery = None,
    ) -> list[dict[str, Any]]:
        """Every entry, oldest first; `election_id` narrows to one election."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if election_id is not None:
            query = query.where(AuditEntry.election_id == election_id)
        async with intake.sessions.begin() as session:
            rows = (await session.execute(query)).scalars().all()
        return [
            {
                "id": r.id,
                "at": r.at.isoformat(),
                "staff_id": r.staff_id,
                "role": r.role,
                "action": r.action,
                "election_id": r.election_id,
                "detail": r.detail,
            }
            for r in rows
        ]
