"""The record's `reconciliation.json` entries, built from what the store holds about each kiosk and paper batch.

- online: the ballots counted (nobody checks in online);
- each kiosk: its check-ins (every kiosk row: ballots entered, ballots synced from an offline queue, check-ins
  still waiting for a ballot), the ballots counted, and the check-ins that never got a ballot, explained;
- each reconciled paper batch: its envelope count, the ballots counted, the papers spoiled or invalid with their
  reasons, and its double-entry status (`resolved` when a coordinator read some paper, listed as zero-count
  differences, else `matched`). Every paper of a reconciled batch is stored, so envelopes always add up.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.store.models import BallotRow, KioskRow, PaperBatchRow, PaperEntryRow
from pbvote.record.ballot_lines import Channel
from pbvote.record.reconciliation import Difference, DoubleEntry, ReconciliationEntry, Spoiled

__all__ = ["reconciliation_entries"]

_RESOLUTION = 3  # the coordinator's pass in `paper_entries`


async def reconciliation_entries(session: AsyncSession, election_id: int) -> list[ReconciliationEntry]:
    """One entry for the online channel, one per kiosk, one per reconciled paper batch."""
    columns = (BallotRow.channel, BallotRow.status, BallotRow.kiosk_id, BallotRow.batch_id, BallotRow.reason)
    query = select(*columns, func.count()).where(BallotRow.election_id == election_id).group_by(*columns)
    rows = [(c, s, k, b, r, int(n)) for c, s, k, b, r, n in (await session.execute(query)).all()]
    online = sum(n for c, s, _, _, _, n in rows if c == "online" and s == "counted")
    entries = [ReconciliationEntry(Channel.ONLINE, None, checkins=None, envelopes=None, accepted=online)]
    kiosks = (await session.execute(select(KioskRow.id).where(KioskRow.election_id == election_id))).scalars()
    for kiosk_id in sorted(kiosks):
        counts = Counter({s: n for c, s, k, _, _, n in rows if c == "kiosk" and k == kiosk_id})
        pending = counts["pending"]
        differences = (Difference(pending, "checked in, but no ballot was entered before voting closed"),)
        entries.append(
            ReconciliationEntry(
                Channel.KIOSK,
                str(kiosk_id),
                checkins=counts.total(),
                envelopes=None,
                accepted=counts["counted"],
                differences=differences if pending else (),
            )
        )
    batches_query = select(PaperBatchRow).where(
        PaperBatchRow.election_id == election_id, PaperBatchRow.status == "reconciled"
    )
    for batch in sorted((await session.execute(batches_query)).scalars(), key=lambda b: b.id):
        papers = [(s, r, n) for c, s, _, b, r, n in rows if c == "paper" and b == batch.id]
        entries.append(await _batch_entry(session, batch, papers))
    return entries


async def _batch_entry(
    session: AsyncSession, batch: PaperBatchRow, papers: list[tuple[str, str | None, int]]
) -> ReconciliationEntry:
    spoiled: Counter[str] = Counter()
    for status, reason, count in papers:
        if status == "spoiled":
            spoiled[f"spoiled: {reason}"] += count
        elif status == "invalid":
            spoiled[f"invalid: {reason}"] += count
    resolved_query = select(PaperEntryRow.seq).where(
        PaperEntryRow.batch_id == batch.id, PaperEntryRow.pass_no == _RESOLUTION
    )
    resolved = sorted((await session.execute(resolved_query)).scalars())
    differences = tuple(
        Difference(0, f"paper {seq}: the two keyings differed; the coordinator's reading of the paper counts")
        for seq in resolved
    )
    return ReconciliationEntry(
        Channel.PAPER,
        str(batch.id),
        checkins=None,
        envelopes=batch.envelope_count,
        accepted=sum(n for s, _, n in papers if s == "counted"),
        spoiled=tuple(Spoiled(reason, n) for reason, n in sorted(spoiled.items())),
        double_entry=DoubleEntry.RESOLVED if resolved else DoubleEntry.MATCHED,
        differences=differences,
    )
