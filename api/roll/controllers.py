"""`/api/v1/elections/{id}/roll`: census import and voting codes (while the election is a draft)."""

from __future__ import annotations

import csv
import io

from litestar import Controller, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, MultipartBody

from api.auth.guards import ADMIN, StaffDep
from api.deps import IntakeDep, RowId
from api.errors import UPLOAD_ERRORS
from api.roll.schemas import CensusUpload, CodesRequest, RollAdded
from ballots import elections as service
from pbvote.errors import InvalidElection

__all__ = ["RollController"]

CSV_CODES = ResponseSpec(str, media_type="text/csv", description="The codes, one row each: election_id,district,code.")
"""The codes' answer is CSV (set on the response itself, so that errors stay JSON)."""


class RollController(Controller):
    """The voter roll."""

    path = "/api/v1/elections/{election_id:int}/roll"
    tags = ["roll"]  # noqa: RUF012 -- Litestar's declared class attribute
    dependencies = {"staff": ADMIN}  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/census", responses=UPLOAD_ERRORS)
    async def census(
        self,
        *,
        election_id: RowId,
        data: MultipartBody[CensusUpload],
        intake: IntakeDep,
        staff: StaffDep,
    ) -> RollAdded:
        """Add a census CSV to the roll; identifiers are stored only as keyed hashes."""
        try:
            text = (await data.file.read()).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidElection("the census file is not valid UTF-8") from exc
        added = await service.import_census(intake, staff, election_id, text)
        return RollAdded(election_id=election_id, added=added)

    @post("/codes", responses=UPLOAD_ERRORS | {201: CSV_CODES})
    async def codes(
        self, *, election_id: RowId, data: JSONBody[CodesRequest], intake: IntakeDep, staff: StaffDep
    ) -> Response[str]:
        """Make single-use voting codes; the CSV answer is the only place they ever appear (print it)."""
        codes = await service.generate_codes(intake, staff, election_id, data.count, data.district)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["election_id", "district", "code"])
        writer.writerows([election_id, data.district or "", code] for code in codes)
        return Response(out.getvalue(), status_code=201, media_type="text/csv")
