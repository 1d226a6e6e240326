"""`/api/v1/elections/{id}/roll`: census import and voting codes (while the election is a draft)."""

from __future__ import annotations

import csv
import io

from litestar import Controller, Response, post
from litestar.params import FromPath, JSONBody, MultipartBody

from api.auth.guards import ADMIN, StaffDep
from api.deps import IntakeDep
from api.roll.schemas import CensusUpload, CodesRequest, RollAdded
from ballots import elections as service
from pbvote.errors import InvalidElection

__all__ = ["RollController"]


class RollController(Controller):
    """The voter roll."""

    path = "/api/v1/elections/{election_id:int}/roll"
    tags = ["roll"]  # noqa: RUF012 -- Litestar's declared class attribute
    dependencies = {"staff": ADMIN}  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/census")
    async def census(
        self,
        *,
        election_id: FromPath[int],
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

    @post("/codes", media_type="text/csv")
    async def codes(
        self, *, election_id: FromPath[int], data: JSONBody[CodesRequest], intake: IntakeDep, staff: StaffDep
    ) -> Response[str]:
        """Make single-use voting codes; the CSV answer is the only place they ever appear (print it)."""
        codes = await service.generate_codes(intake, staff, election_id, data.count, data.district)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["election_id", "district", "code"])
        writer.writerows([election_id, data.district or "", code] for code in codes)
        return Response(out.getvalue(), status_code=201, media_type="text/csv")
