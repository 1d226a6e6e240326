"""`reconciliation.json`: per kiosk and paper batch, what came in and what was counted, every difference explained.

For each kiosk or batch (and optionally the online channel) the officials record the check-ins, the envelopes found
(paper), the ballots accepted, the ballots spoiled with their reasons, the double-entry status of the paper data
entry, and each difference with its explanation. It adds up when

    received = accepted + spoiled + explained differences,

where `received` is the envelopes when counted, else the check-ins; and the ballots accepted never exceed the
check-ins nor the envelopes, and equal the ballots of that kiosk or batch in `ballots.jsonl`. Paper batches must
have passed double entry (`matched`, or `resolved` after adjudication).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pbvote.canonical import JsonValue
from pbvote.record.ballot_lines import Channel

__all__ = [
    "Difference",
    "DoubleEntry",
    "ReconciliationEntry",
    "Spoiled",
    "reconciliation_from_json",
    "reconciliation_problems",
    "reconciliation_to_json",
]


class DoubleEntry(StrEnum):
    """Where the double entry of a paper batch stands."""

    MATCHED = "matched"
    """The two independent entries agreed."""
    RESOLVED = "resolved"
    """They disagreed and every disagreement was adjudicated against the paper."""
    PENDING = "pending"
    """Not finished: a paper batch in this state must not be counted."""
    NOT_APPLICABLE = "not-applicable"
    """Kiosk and online ballots are not typed in twice."""


@dataclass(frozen=True, slots=True)
class Spoiled:
    """Ballots spoiled for one reason (`torn`, `unreadable`, `voter asked for a new one`)."""

    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class Difference:
    """Received items that became no ballot, with why (`2 voters checked in and left`); may be negative."""

    count: int
    explanation: str


@dataclass(frozen=True, slots=True)
class ReconciliationEntry:
    """The reconciliation of one kiosk, one paper batch, or the online channel.

    Attributes:
        channel: kiosk, paper or online.
        source: the kiosk id or the batch id (`None` online), as on the ballots.
        checkins: voters checked in, if recorded.
        envelopes: envelopes or sheets found in the batch, if counted (paper).
        accepted: ballots accepted into the count.
        spoiled: ballots spoiled, by reason.
        double_entry: for paper batches, the double-entry status.
        differences: every other difference, explained.
    """

    channel: Channel
    source: str | None
    checkins: int | None
    envelopes: int | None
    accepted: int
    spoiled: tuple[Spoiled, ...] = ()
    double_entry: DoubleEntry = DoubleEntry.NOT_APPLICABLE
    differences: tuple[Difference, ...] = ()

    @property
    def label(self) -> str:
        """How the entry is named in messages: `kiosk K1`, `paper batch B2`, `online`."""
        if self.source is None:
            return str(self.channel)
        return f"paper batch {self.source}" if self.channel is Channel.PAPER else f"{self.channel} {self.source}"


def reconciliation_to_json(entries: Sequence[ReconciliationEntry], election_hash: str) -> dict[str, JsonValue]:
    """The object `reconciliation.json` holds; entries sorted by channel and source."""
    ordered = sorted(entries, key=lambda e: (e.channel.value, e.source or ""))
    return {
        "election_hash": election_hash,
        "entries": [
            {
                "channel": e.channel.value,
                "source": e.source,
                "checkins": e.checkins,
                "envelopes": e.envelopes,
                "accepted": e.accepted,
                "spoiled": [{"reason": s.reason, "count": s.count} for s in e.spoiled],
                "double_entry": e.double_entry.value,
                "differences": [{"count": d.count, "explanation": d.explanation} for d in e.differences],
            }
            for e in ordered
        ],
    }


def reconciliation_from_json(data: Mapping[str, Any]) -> list[ReconciliationEntry]:
    """Read the entries back.

    Raises:
        ValueError: naming the entry that is malformed.
    """
    entries: list[ReconciliationEntry] = []
    for i, raw in enumerate(data["entries"]):
        try:
            entries.append(
                ReconciliationEntry(
                    channel=Channel(raw["channel"]),
                    source=raw["source"],
                    checkins=_optional_count(raw["checkins"]),
                    envelopes=_optional_count(raw["envelopes"]),
                    accepted=_count(raw["accepted"]),
                    spoiled=tuple(Spoiled(str(s["reason"]), _count(s["count"])) for s in raw["spoiled"]),
                    double_entry=DoubleEntry(raw["double_entry"]),
                    differences=tuple(Difference(_int(d["count"]), str(d["explanation"])) for d in raw["differences"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) else str(exc)
            raise ValueError(f"entries[{i}]: {detail}") from exc
    return entries


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return value


def _optional_count(value: object) -> int | None:
    return None if value is None else _count(value)


def _count(value: object) -> int:
    number = _int(value)
    if number < 0:
        raise ValueError(f"a count is negative ({number})")
    return number


def reconciliation_problems(
    entries: Sequence[ReconciliationEntry], counted: Mapping[tuple[Channel, str | None], int]
) -> list[str]:
    """Every way the reconciliation fails to add up, each naming its kiosk or batch.

    Args:
        entries: the reconciliation.
        counted: how many ballots `ballots.jsonl` holds for each (channel, source).
    """
    keys = [(e.channel, e.source) for e in entries]
    twice = sorted({k for k in keys if keys.count(k) > 1}, key=str)
    problems = [f"{channel} {source} is reconciled more than once" for channel, source in twice]
    for channel, source in sorted(counted, key=lambda k: (k[0].value, k[1] or "")):
        if channel is not Channel.ONLINE and (channel, source) not in keys:
            problems.append(f"{channel} {source} has {counted[channel, source]} ballots and no reconciliation entry")
    for entry in entries:
        problems.extend(
            f"{entry.label}: {p}" for p in _entry_problems(entry, counted.get((entry.channel, entry.source), 0))
        )
    return problems


def _entry_problems(entry: ReconciliationEntry, counted: int) -> list[str]:
    problems: list[str] = []
    if entry.accepted != counted:
        problems.append(f"{entry.accepted} ballots accepted, but ballots.jsonl holds {counted}")
    for name, limit in (("check-ins", entry.checkins), ("envelopes", entry.envelopes)):
        if limit is not None and entry.accepted > limit:
            problems.append(f"{entry.accepted} ballots accepted exceed the {limit} {name}")
    received = entry.envelopes if entry.envelopes is not None else entry.checkins
    if received is None and entry.channel is not Channel.ONLINE:
        problems.append("neither check-ins nor envelopes are recorded")
    spoiled = sum(s.count for s in entry.spoiled)
    explained = sum(d.count for d in entry.differences)
    if received is not None and received != entry.accepted + spoiled + explained:
        unexplained = received - entry.accepted - spoiled - explained
        problems.append(
            f"{received} received = {entry.accepted} accepted + {spoiled} spoiled + {explained} explained"
            f" leaves {unexplained} unexplained"
        )
    if entry.channel is Channel.PAPER and entry.double_entry not in {DoubleEntry.MATCHED, DoubleEntry.RESOLVED}:
        problems.append(f"double entry is {entry.double_entry}, not matched or resolved")
    return problems
