"""A record read once for all the checks of `tally.verify`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pbvote.election import Election
from pbvote.errors import RecordError
from pbvote.record.ballot_lines import RecordBallot, parse_line, parse_pb_ballots
from pbvote.record.definition import FrozenElection, parse_election_file

__all__ = ["Record", "load_record"]


@dataclass(frozen=True, slots=True)
class Record:
    """A record read for checking.

    Attributes:
        files: every file by name.
        frozen: `election.json` as read.
        election_hash: SHA-256 (hex) of the bytes of `election.json`.
        lines: the lines of `ballots.jsonl` without their newlines.
        ballots: the ballot on each line, `None` where the line is not a ballot.
        line_errors: why each unreadable line is unreadable, naming it.
    """

    files: Mapping[str, bytes]
    frozen: FrozenElection
    election_hash: str
    lines: tuple[str, ...]
    ballots: tuple[RecordBallot | None, ...]
    line_errors: tuple[str, ...]
    _pb: list[tuple[Election, list[RecordBallot]]] = field(default_factory=list, compare=False, repr=False)

    def pb(self) -> tuple[Election, list[RecordBallot]]:
        """`ballots.pb` read once: its election (META in `.meta`) and its ballots.

        Raises:
            RecordError: when the file is missing or is not valid pabulib.
        """
        if not self._pb:
            if "ballots.pb" not in self.files:
                raise RecordError("ballots.pb is missing")
            self._pb.append(parse_pb_ballots(self.files["ballots.pb"].decode("utf-8")))
        return self._pb[0]

    def json(self, name: str) -> Any:  # noqa: ANN401 -- parsed JSON of any shape; checks read it defensively
        """A JSON file of the record, parsed.

        Raises:
            RecordError: when the file is missing or is not JSON.
        """
        if name not in self.files:
            raise RecordError(f"{name} is missing")
        try:
            return json.loads(self.files[name].decode("utf-8"))
        except ValueError as exc:
            raise RecordError(f"{name} is not JSON: {exc}") from exc

    def counted(self) -> list[RecordBallot]:
        """The readable ballots."""
        return [b for b in self.ballots if b is not None]


def load_record(files: Mapping[str, bytes]) -> Record:
    """Read what every check needs.

    Raises:
        RecordError: when `election.json` is missing or unreadable, so nothing can be checked.
    """
    if "election.json" not in files:
        raise RecordError("the record has no election.json")
    frozen = parse_election_file(files["election.json"])
    text = files.get("ballots.jsonl", b"").decode("utf-8", errors="replace")
    lines = tuple(text.removesuffix("\n").split("\n")) if text else ()
    ballots: list[RecordBallot | None] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            ballots.append(parse_line(line, number))
        except RecordError as exc:
            ballots.append(None)
            errors.append(str(exc))
    digest = hashlib.sha256(files["election.json"]).hexdigest()
    return Record(files, frozen, digest, lines, tuple(ballots), tuple(errors))
