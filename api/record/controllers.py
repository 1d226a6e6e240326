"""The published record: officials and their keys, the manifest to sign, signatures, the archive, receipts."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from api.auth.guards import ADMIN, OFFICIAL, StaffDep
from api.deps import IntakeDep, RowId
from api.errors import PUBLIC_ERRORS, STAFF_ERRORS, UPLOAD_ERRORS
from api.record.schemas import OfficialIn, OfficialOut, ReceiptProofOut, SignatureIn
from ballots import record as service
from pbvote.canonical import canonical_bytes
from pbvote.errors import RecordError
from pbvote.record.layout import archive_bytes

__all__ = ["RecordController"]

_MEDIA = {"zip": "application/zip", "tar": "application/x-tar", "tar.gz": "application/gzip"}


# these routes send stored canonical JSON bytes as they are (hashed and signed): documented as a JSON object
_JSON_FILE = {
    **PUBLIC_ERRORS,
    200: ResponseSpec(dict[str, Any], description="The stored canonical JSON, byte for byte.", generate_examples=False),
}


class RecordController(Controller):
    """Officials sign the record built at tally; once all have, it is published with its receipt proofs."""

    path = "/api/v1/elections/{election_id:int}"
    tags = ["record"]  # noqa: RUF012 -- Litestar's declared class attribute

    @post("/officials", dependencies={"staff": ADMIN}, responses=UPLOAD_ERRORS)
    async def register(
        self, *, election_id: RowId, data: JSONBody[OfficialIn], intake: IntakeDep, staff: StaffDep
    ) -> OfficialOut:
        """Register an official and their public key (draft only); opening publishes it in `election.json`."""
        row = await service.register_official(intake, staff, election_id, data.name, data.public_key)
        return OfficialOut.of(row)

    @get("/officials", responses=PUBLIC_ERRORS)
    async def officials(self, *, election_id: RowId, intake: IntakeDep) -> list[OfficialOut]:
        """The officials, their published keys, and who has signed the record."""
        return [OfficialOut.of(row) for row in await service.list_officials(intake, election_id)]

    @get("/election.json", media_type="application/json", responses=_JSON_FILE)
    async def election_file(self, *, election_id: RowId, intake: IntakeDep) -> Response[bytes]:
        """The definition, rule, options and officials' keys frozen at opening; its SHA-256 is the `election_hash`."""
        return Response(await service.frozen_definition(intake, election_id), media_type="application/json")

    @get("/manifest", media_type="application/json", responses=_JSON_FILE)
    async def manifest(self, *, election_id: RowId, intake: IntakeDep) -> Response[bytes]:
        """`MANIFEST.json` as it stands after tally: save it and sign it with `pbvote sign MANIFEST.json --key ...`."""
        manifest = await service.current_manifest(intake, election_id)
        return Response(canonical_bytes(manifest), media_type="application/json")

    @post("/signatures", status_code=201, dependencies={"staff": OFFICIAL}, responses=UPLOAD_ERRORS)
    async def sign(
        self, *, election_id: RowId, data: JSONBody[SignatureIn], intake: IntakeDep, staff: StaffDep
    ) -> dict[str, Any]:
        """File an official's signature of the manifest (checked against their published key)."""
        if data.public_key is not None:
            published = {o.name: o.public_key for o in await service.list_officials(intake, election_id)}
            if published.get(data.official) != data.public_key.lower():
                raise RecordError(f"this public key is not the one {data.official!r} published when voting opened")
        return await service.submit_signature(intake, staff, election_id, data.official, data.signature)

    @get("/record", responses=PUBLIC_ERRORS)
    async def record(
        self, *, election_id: RowId, intake: IntakeDep, archive: FromQuery[str] = "zip"
    ) -> Response[bytes]:
        """The published record as one deterministic archive (`?archive=zip|tar|tar.gz`); 404 until all have signed."""
        if archive not in _MEDIA:
            raise RecordError(f"unknown archive kind {archive!r}; use zip, tar or tar.gz")
        files = await service.published_record(intake, election_id)
        name = f"pbvote-election-{election_id}-record.{archive}"
        return Response(
            archive_bytes(files, archive),
            media_type=_MEDIA[archive],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/record/unsigned", dependencies={"staff": OFFICIAL}, responses=STAFF_ERRORS)
    async def unsigned(
        self,
        *,
        election_id: RowId,
        intake: IntakeDep,
        staff: StaffDep,  # noqa: ARG002 -- the dependency is the guard
    ) -> Response[bytes]:
        """The record awaiting signatures (zip), for officials to check and sign with `pbvote sign`."""
        files = await service.unsigned_record(intake, election_id)
        name = f"pbvote-election-{election_id}-unsigned.zip"
        return Response(
            archive_bytes(files),
            media_type=_MEDIA["zip"],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/receipts/{code:str}", responses=PUBLIC_ERRORS)
    async def receipt(self, *, election_id: RowId, code: FromPath[str], intake: IntakeDep) -> ReceiptProofOut:
        """The published line of the ballot with this receipt code and its inclusion proof; 404 before publication."""
        return ReceiptProofOut.of(await service.receipt_proof(intake, election_id, code))
