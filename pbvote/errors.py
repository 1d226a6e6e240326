"""The one hierarchy of errors pbvote raises.

```
PbvoteError
  InvalidElection          # duplicate ids, negative cost, empty budget, bad ballot rules
    PabulibError(source, line, message)   # a malformed .pb file, with its line number
  UnknownRule(rule_id)     # a rule id that is not in the registry
  InvalidRuleOptions       # options a rule cannot run with (unknown completion, bad satisfaction)
  BallotError
    BallotRejected(reasons)  # a ballot that breaks the election's rules, with every reason
  StorageError
    ConflictError          # a write that would break a uniqueness or lifecycle invariant
    NotFound               # a row that does not exist
  RecordError              # a published election record that cannot be read
```

Expected validation failures are returned as values (`pbvote.validation.BallotCheck`); these exceptions are
for the cases where the caller cannot go on.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BallotError",
    "BallotRejected",
    "ConflictError",
    "InvalidElection",
    "InvalidRuleOptions",
    "NotFound",
    "PabulibError",
    "PbvoteError",
    "RecordError",
    "StorageError",
    "UnknownRule",
]


class PbvoteError(Exception):
    """Base class of every error pbvote raises on purpose."""


class InvalidElection(PbvoteError):
    """An election definition that cannot be run: duplicate ids, negative costs, an empty budget."""


class PabulibError(InvalidElection):
    """A `.pb` file that cannot be read, with the line it fails on (1-based, 0 when not tied to a line)."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


class UnknownRule(PbvoteError):
    """A rule id that the registry does not know."""

    def __init__(self, rule_id: str, known: Sequence[str] = ()) -> None:
        self.rule_id = rule_id
        self.known = tuple(known)
        hint = f"; known rules: {', '.join(self.known)}" if self.known else ""
        super().__init__(f"unknown rule {rule_id!r}{hint}")


class InvalidRuleOptions(PbvoteError):
    """Options that the chosen rule cannot run with."""


class BallotError(PbvoteError):
    """Base class of errors about a single ballot."""


class BallotRejected(BallotError):
    """A ballot that breaks the election's rules; `reasons` lists every one."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons) or "ballot rejected")


class StorageError(PbvoteError):
    """Base class of errors raised by the ballot store."""


class ConflictError(StorageError):
    """A write that would break a uniqueness or lifecycle invariant (already voted, election not open)."""


class NotFound(StorageError):
    """The requested row does not exist."""


class RecordError(PbvoteError):
    """A published election record that cannot be read at all (missing file, unparsable JSON)."""
