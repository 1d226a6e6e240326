"""The published election record: officials and their keys, the record built at tally, signatures, receipts.

Officials register their Ed25519 public keys while the election is a draft; opening freezes them into
`election.json` (`ballots.elections.frozen_election`). Tallying builds every file of the record but `MANIFEST.json`
(`tally.record.produce_unsigned_record`) and stores them with the manifest body. Each official fetches the
manifest, signs its `signing_message` on their own machine (`pbvote sign`) and posts the signature, which is checked
against their published key. The record is published (served as one archive, receipts answered from it) once every
official has signed; an election without officials publishes it at tally, unsigned.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.context import Intake
from ballots.frozen import frozen_election
from ballots.reconcile import reconciliation_entries
from ballots.store import repository as repo
from ballots.store.models import BallotRow, ElectionRow, OfficialRow, RecordRow, StaffTokenRow
from pbvote.canonical import JsonValue, canonical_bytes, canonical_json
from pbvote.errors import ConflictError, InvalidElection, NotFound, RecordError
from pbvote.project import ProjectId
from pbvote.record.ballot_lines import Channel, RecordBallot
from pbvote.record.definition import Official
from pbvote.record.layout import archive_bytes, files_from_archive
from pbvote.record.manifest import add_signature, manifest_body, signature_problems
from pbvote.record.receipts import ReceiptProof, receipt_in_record
from tally.record import produce_unsigned_record

__all__ = [
    "build_and_store_record",
    "current_manifest",
    "frozen_definition",
    "list_officials",
    "published_record",
    "receipt_proof",
    "record_ballots",
    "register_official",
    "submit_signature",
    "unsigned_record",
]

_SIGNATURE_HEX = 128


async def register_official(
    intake: Intake, staff: StaffTokenRow | None, election_id: int, name: str, public_key: str
) -> OfficialRow:
    """Register an official who will sign the record, with their raw Ed25519 public key (64 hex digits).

    Raises:
        InvalidElection: the key is not 32 bytes of hex, or the name is empty.
        ConflictError: the election is not a draft, or the name or key is registered already.
    """
    key = public_key.strip().lower()
    try:
        official = Official(name.strip(), bytes.fromhex(key))
    except ValueError as exc:
        raise InvalidElection(f"official {name!r}: public_key must be 64 hex digits ({exc})") from exc
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id, share_lock=True)
        if row.status != "draft":
            raise ConflictError(f"election {election_id} is {row.status}: officials are registered before it opens")
        added = OfficialRow(election_id=election_id, name=official.name, public_key=official.public_key.hex())
        session.add(added)
        await repo.flush_or_conflict(session, f"official {official.name!r} or this public key is registered already")
        await repo.add_audit(
            session, staff, "official.register", election_id, canonical_json({"name": official.name, "key": key})
        )
    return added


async def list_officials(intake: Intake, election_id: int) -> Sequence[OfficialRow]:
    """The election's officials, by name."""
    async with intake.sessions.begin() as session:
        await repo.get_election(session, election_id)
        return await _officials(session, election_id)


async def _officials(session: AsyncSession, election_id: int) -> Sequence[OfficialRow]:
    query = select(OfficialRow).where(OfficialRow.election_id == election_id).order_by(OfficialRow.name)
    return (await session.execute(query)).scalars().all()


async def frozen_definition(intake: Intake, election_id: int) -> bytes:
    """The bytes of `election.json` as frozen when voting opened (their SHA-256 is the `election_hash`).

    Raises:
        NotFound: the election is still a draft.
    """
    async with intake.sessions.begin() as session:
        row = await repo.get_election(session, election_id)
        if row.election_hash is None:
            raise NotFound(f"election {election_id} is a draft; its definition is frozen when voting opens")
        frozen = await frozen_election(intake, session, row)
    if frozen.hash != row.election_hash:
        raise RuntimeError(f"election {row.id}: the frozen definition does not hash to the published election_hash")
    return frozen.to_bytes()


def record_ballots(rows: Sequence[BallotRow]) -> list[RecordBallot]:
    """The counted ballot rows as published: id, channel, source (kiosk or batch id), district, content."""
    ballots = []
    for row in rows:
        channel = Channel(row.channel)
        source = {Channel.ONLINE: None, Channel.KIOSK: row.kiosk_id, Channel.PAPER: row.batch_id}[channel]
        selections = tuple(ProjectId(p) for p in json.loads(row.selections))
        ballots.append(
            RecordBallot(
                row.ballot_id,
                channel,
                selections,
                tuple(json.loads(row.points)),
                source=None if source is None else str(source),
                district=row.district,
            )
        )
    return ballots


async def build_and_store_record(intake: Intake, session: AsyncSession, row: ElectionRow) -> None:
    """Build the record of a tallied election (inside the tally's transaction) and store it for signing.

    Raises:
        RuntimeError: when the frozen definition no longer hashes to the published `election_hash`.
    """
    frozen = await frozen_election(intake, session, row)
    if frozen.hash != row.election_hash:
        raise RuntimeError(f"election {row.id}: the frozen definition does not hash to the published election_hash")
    ballots = record_ballots(await repo.counted_ballots(session, row.id))
    entries = await reconciliation_entries(session, row.id)
    files = produce_unsigned_record(frozen, ballots, entries)
    manifest = manifest_body(files, frozen.hash)
    session.add(RecordRow(election_id=row.id, files=archive_bytes(files), manifest=canonical_json(manifest)))
    await session.flush()


async def _record(session: AsyncSession, election_id: int) -> RecordRow:
    row = await repo.get_election(session, election_id)
    record = await session.get(RecordRow, election_id)
    if record is None:
        raise NotFound(f"election {election_id} is {row.status}; its record is built when it is tallied")
    return record


def _signed(record: RecordRow, officials: Sequence[OfficialRow]) -> dict[str, JsonValue]:
    manifest: dict[str, JsonValue] = json.loads(record.manifest)
    for official in officials:
        if official.signature is not None:
            signer = Official(official.name, bytes.fromhex(official.public_key))
            manifest = add_signature(manifest, signer, bytes.fromhex(official.signature))
    return manifest


async def current_manifest(intake: Intake, election_id: int) -> dict[str, JsonValue]:
    """`MANIFEST.json` as it stands: the file digests and the signatures given so far.

    Raises:
        NotFound: the election is not tallied yet.
    """
    async with intake.sessions.begin() as session:
        record = await _record(session, election_id)
        return _signed(record, await _officials(session, election_id))


async def submit_signature(
    intake: Intake, staff: StaffTokenRow, election_id: int, name: str, signature: str
) -> dict[str, JsonValue]:
    """File an official's Ed25519 signature of the manifest's `signing_message`; returns the manifest with it.

    Raises:
        NotFound: no record yet, or no official of that name.
        RecordError: the signature is malformed or does not verify with the official's published key.
    """
    async with intake.sessions.begin() as session:
        record = await _record(session, election_id)
        officials = await _officials(session, election_id)
        chosen = [o for o in officials if o.name == name]
        if not chosen:
            raise NotFound(f"election {election_id} has no official named {name!r}")
        text = signature.strip().lower()
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise RecordError(f"the signature of {name!r} is not hex ({exc})") from exc
        if len(text) != _SIGNATURE_HEX:
            raise RecordError(f"the signature of {name!r} has {len(raw)} bytes; an Ed25519 signature has 64")
        signer = Official(name, bytes.fromhex(chosen[0].public_key))
        trial = add_signature({**json.loads(record.manifest), "signatures": []}, signer, raw)
        if signature_problems(trial, [signer]):
            raise RecordError(f"the signature does not verify with {name!r}'s published key over this manifest")
        chosen[0].signature = text
        await session.flush()
        await repo.add_audit(session, staff, "record.sign", election_id, canonical_json({"official": name}))
        return _signed(record, officials)


async def unsigned_record(intake: Intake, election_id: int) -> dict[str, bytes]:
    """The record as it awaits signatures: every file, `MANIFEST.json` with the signatures given so far.

    Officials download it, check it (`pbvote sign` compares every file with the manifest) and sign it.

    Raises:
        NotFound: the election is not tallied yet.
    """
    return await _files(intake, election_id, signed=False)


async def published_record(intake: Intake, election_id: int) -> dict[str, bytes]:
    """Every file of the published record, `MANIFEST.json` signed by every official.

    Raises:
        NotFound: the election is not tallied, or some official has not signed yet (named).
    """
    return await _files(intake, election_id, signed=True)


async def _files(intake: Intake, election_id: int, *, signed: bool) -> dict[str, bytes]:
    async with intake.sessions.begin() as session:
        record = await _record(session, election_id)
        officials = await _officials(session, election_id)
    missing = [o.name for o in officials if o.signature is None]
    if signed and missing:
        raise NotFound(f"the record of election {election_id} awaits the signature of {', '.join(missing)}")
    files = files_from_archive(record.files)
    files["MANIFEST.json"] = canonical_bytes(_signed(record, officials))
    return dict(sorted(files.items()))


async def receipt_proof(intake: Intake, election_id: int, code: str) -> ReceiptProof:
    """The published line of the ballot with this receipt code and its Merkle inclusion proof.

    Raises:
        NotFound: the record is not published, the code is malformed, or no published ballot has it.
    """
    files = await published_record(intake, election_id)
    try:
        proof = receipt_in_record(files, code)
    except ValueError:
        proof = None
    if proof is None:
        raise NotFound(f"no published ballot of election {election_id} has this receipt code")
    return proof
