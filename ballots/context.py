"""What every intake service needs: the sessions, the server's secret, the failure limiter, an election cache.

It also holds the group committer of online ballots (`ballots.store.group_commit`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ballots.key_locks import KeyLocks
from ballots.ratelimit import FailureLimiter
from ballots.store.group_commit import GroupCommit
from ballots.store.models import ElectionRow
from pbvote.canonical import election_from_json
from pbvote.election import Election

__all__ = ["Intake"]


@dataclass(frozen=True, slots=True)
class Intake:
    """The shared state of the intake services (one per server).

    Attributes:
        sessions: makes database sessions.
        secret: the server's secret, the key of every keyed hash (roll entries, voter links).
        limiter: failed credential attempts per credential and per kiosk.
        ballot_writes: groups the commits of concurrent online ballots (one per server and database).
        key_locks: the idempotency keys of the requests in flight, one request at a time per key.
    """

    sessions: async_sessionmaker[AsyncSession]
    secret: bytes
    limiter: FailureLimiter
    _elections: dict[tuple[int, str], Election] = field(default_factory=dict)
    ballot_writes: GroupCommit = field(init=False)
    key_locks: KeyLocks = field(init=False, default_factory=KeyLocks)

    def __post_init__(self) -> None:
        """Make the ballot group committer over the same sessions."""
        object.__setattr__(self, "ballot_writes", GroupCommit(self.sessions))

    def knows(self, row: ElectionRow) -> bool:
        """Whether the definition of this frozen election is parsed already (`election` needs no `definition`)."""
        return row.election_hash is not None and (row.id, row.election_hash) in self._elections

    def election(self, row: ElectionRow) -> Election:
        """The parsed definition of an election; frozen ones (hashed at opening) are parsed once."""
        if row.election_hash is None:
            return election_from_json(_loads(row.definition))
        key = (row.id, row.election_hash)
        if key not in self._elections:
            self._elections[key] = election_from_json(_loads(row.definition))
        return self._elections[key]


def _loads(text: str) -> dict[str, object]:
    value: dict[str, object] = json.loads(text)
    return value
