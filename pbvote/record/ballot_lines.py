"""The counted ballots as published: `ballots.jsonl`, `ballots.csv` and `ballots.pb`.

Each ballot is one canonical JSON line: its `ballot_id`, its `channel` (`online`, `kiosk` or `paper`), the `source`
(the kiosk id or the paper batch id; none online), its `selections` (sorted in natural project-id order, except on
ordinal ballots where the order is the ranking), the `points` on cumulative and scoring ballots (paired with the
selections) and the `district` in an election with districts. Lines are sorted by `ballot_id`, which is a hash,
so nothing in the file reveals who voted or in what order. The CSV and pabulib renderings hold the same ballots in
the same order, for spreadsheets and for other PB tools.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from pbvote.ballot import Ballot, VoteType
from pbvote.canonical import JsonValue, canonical_json
from pbvote.election import Election
from pbvote.errors import PabulibError, RecordError
from pbvote.pabulib import parse_pb, write_pb
from pbvote.project import ProjectId
from pbvote.tiebreak import natural_key

__all__ = [
    "CSV_HEADER",
    "Channel",
    "RecordBallot",
    "canonical_ballot",
    "parse_csv",
    "parse_line",
    "parse_pb_ballots",
    "published_order",
    "render_csv",
    "render_line",
    "render_pb",
]

_natural_key = functools.lru_cache(maxsize=1 << 16)(natural_key)  # elections have few projects, many ballots

CSV_HEADER = ("ballot_id", "channel", "source", "district", "selections", "points")


class Channel(StrEnum):
    """How a ballot reached the count."""

    ONLINE = "online"
    KIOSK = "kiosk"
    PAPER = "paper"


@dataclass(frozen=True, slots=True)
class RecordBallot:
    """One counted ballot as published.

    Attributes:
        ballot_id: the published id (`pbvote.record.receipts.receipt_ballot_id` of its receipt code).
        channel: online, kiosk or paper.
        selections: the projects chosen.
        points: for cumulative and scoring ballots, the points of each selection (same order); else empty.
        source: the kiosk id for kiosk ballots, the paper batch id for paper ballots, `None` online.
        district: the district whose ballot it is, in an election with districts.
    """

    ballot_id: str
    channel: Channel
    selections: tuple[ProjectId, ...]
    points: tuple[int, ...] = ()
    source: str | None = None
    district: str | None = None

    def __post_init__(self) -> None:
        """Refuse a ballot whose channel and source disagree."""
        if not self.ballot_id:
            raise ValueError("a ballot has an empty ballot_id")
        if (self.channel is Channel.ONLINE) != (self.source is None):
            need = "no source" if self.channel is Channel.ONLINE else "a source (kiosk or batch id)"
            raise ValueError(f"ballot {self.ballot_id}: a {self.channel} ballot needs {need}")

    def to_ballot(self) -> Ballot:
        """The ballot as the rules and `validate_ballot` read it."""
        return Ballot(self.ballot_id, self.selections, self.points, district=self.district)


def canonical_ballot(ballot: RecordBallot, vote_type: VoteType) -> RecordBallot:
    """The ballot with its selections in published order: natural id order, or the ranking on ordinal ballots."""
    if vote_type is VoteType.ORDINAL:
        return ballot
    if ballot.points and len(ballot.points) == len(ballot.selections):
        pairs = sorted(zip(ballot.selections, ballot.points, strict=True), key=lambda pair: _natural_key(pair[0]))
        return replace(ballot, selections=tuple(p for p, _ in pairs), points=tuple(n for _, n in pairs))
    return replace(ballot, selections=tuple(sorted(ballot.selections, key=_natural_key)))


def render_line(ballot: RecordBallot) -> str:
    """The ballot's canonical JSON line (no newline)."""
    value: dict[str, JsonValue] = {
        "ballot_id": ballot.ballot_id,
        "channel": ballot.channel.value,
        "selections": list(ballot.selections),
    }
    if ballot.points:
        value["points"] = list(ballot.points)
    if ballot.source is not None:
        value["source"] = ballot.source
    if ballot.district is not None:
        value["district"] = ballot.district
    return canonical_json(value)


def published_order(ballots: Iterable[RecordBallot], vote_type: VoteType) -> list[RecordBallot]:
    """The ballots in canonical form, sorted by `ballot_id`: the order of every ballot file.

    Raises:
        ValueError: when two ballots share a `ballot_id`.
    """
    ordered = sorted((canonical_ballot(b, vote_type) for b in ballots), key=lambda b: b.ballot_id)
    for before, after in itertools.pairwise(ordered):
        if before.ballot_id == after.ballot_id:
            raise ValueError(f"two ballots share the ballot_id {after.ballot_id}")
    return ordered


def parse_line(text: str, line: int, source: str = "ballots.jsonl") -> RecordBallot:
    """Read one line of `ballots.jsonl`.

    Raises:
        RecordError: naming the file and line when the line is not a ballot.
    """
    try:
        return _ballot_from_fields(json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        raise RecordError(f"{source} line {line}: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    return f"no {exc.args[0]!r} field" if isinstance(exc, KeyError) else str(exc)


def _ballot_from_fields(data: object) -> RecordBallot:
    if not isinstance(data, dict):
        raise TypeError("the line is not a JSON object")
    selections, points = data["selections"], data.get("points", [])
    if not isinstance(selections, list) or not all(isinstance(p, str) for p in selections):
        raise TypeError("selections must be a list of project ids")
    if not isinstance(points, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in points):
        raise TypeError("points must be a list of integers")
    source, district = data.get("source"), data.get("district")
    return RecordBallot(
        ballot_id=_text(data["ballot_id"], "ballot_id"),
        channel=Channel(_text(data["channel"], "channel")),
        selections=tuple(ProjectId(p) for p in selections),
        points=tuple(points),
        source=None if source is None else _text(source, "source"),
        district=None if district is None else _text(district, "district"),
    )


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {value!r}")
    return value


def render_csv(ballots: Sequence[RecordBallot]) -> str:
    """`ballots.csv`: one row per ballot in the given order; lists joined by commas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for b in ballots:
        points = ",".join(str(p) for p in b.points)
        selections = ",".join(b.selections)
        writer.writerow([b.ballot_id, b.channel.value, b.source or "", b.district or "", selections, points])
    return out.getvalue()


def parse_csv(text: str) -> list[tuple[int, RecordBallot]]:
    """Read `ballots.csv` into (line number, ballot) pairs.

    Raises:
        RecordError: naming the line that cannot be read.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header) != CSV_HEADER:
        raise RecordError(f"ballots.csv line 1: the header must be {','.join(CSV_HEADER)}")
    ballots: list[tuple[int, RecordBallot]] = []
    for row in reader:
        line = reader.line_num
        if len(row) != len(CSV_HEADER):
            raise RecordError(f"ballots.csv line {line}: {len(row)} cells; expected {len(CSV_HEADER)}")
        ballot_id, channel, source, district, selections, points = row
        try:
            ballot = RecordBallot(
                ballot_id=ballot_id,
                channel=Channel(channel),
                selections=tuple(ProjectId(p) for p in selections.split(",") if p),
                points=tuple(int(p) for p in points.split(",") if p),
                source=source or None,
                district=district or None,
            )
        except ValueError as exc:
            raise RecordError(f"ballots.csv line {line}: {exc}") from exc
        ballots.append((line, ballot))
    return ballots


def render_pb(election: Election, ballots: Sequence[RecordBallot], election_hash: str) -> str:
    """`ballots.pb`: the election and ballots in pabulib form, META carrying `election_hash`.

    The channel, source and district of each ballot are extra VOTES columns; `voter_id` is the `ballot_id`.
    """
    meta = {**election.meta, "election_hash": election_hash}
    labelled = replace(election, meta=meta, districts={})
    rows = [
        Ballot(
            b.ballot_id,
            b.selections,
            b.points,
            fields={"channel": b.channel.value, "source": b.source or "", "district": b.district or ""},
        )
        for b in ballots
    ]
    return write_pb(labelled, rows)


def parse_pb_ballots(text: str) -> tuple[Election, list[RecordBallot]]:
    """Read `ballots.pb` back: its election (META in `.meta`) and its ballots in file order.

    Raises:
        RecordError: when the file is not valid pabulib or a row is not a ballot; the message names the line.
    """
    try:
        pb = parse_pb(text, source="ballots.pb")
        ballots = [
            RecordBallot(
                ballot_id=b.voter_id,
                channel=Channel(b.fields.get("channel", "")),
                selections=b.selections,
                points=b.points,
                source=b.fields.get("source") or None,
                district=b.fields.get("district") or None,
            )
            for b in pb.ballots
        ]
    except PabulibError as exc:
        raise RecordError(str(exc)) from exc
    except ValueError as exc:
        raise RecordError(f"ballots.pb: {exc}") from exc
    return pb.election, ballots
