"""The tables of the ballot store, as SQLAlchemy 2 declarative models.

The schema is built only by the alembic migrations in `ballots/migrations`; these models mirror them for queries.
Secrecy: `ballots` holds no voter identifier and no receipt code, only the published `ballot_id` derived from the
code. `voter_link` is a keyed hash (HMAC with the server's secret) of the voter's roll row, the only link needed
to replace a ballot on re-voting; it is never published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, PrimaryKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "BallotRow",
    "Base",
    "ElectionRow",
    "IdempotencyRow",
    "KioskRow",
    "OfficialRow",
    "PaperBatchRow",
    "PaperEntryRow",
    "ParticipationRow",
    "RecordRow",
    "RollEntry",
    "StaffTokenRow",
    "VoterRow",
]


class Base(DeclarativeBase):
    """The declarative base of every table."""


class StaffTokenRow(Base):
    """A staff bearer token, stored only as its SHA-256."""

    __tablename__ = "staff_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ElectionRow(Base):
    """An election: its definition (canonical JSON), lifecycle, rule, eligibility and result."""

    __tablename__ = "elections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(100))
    rule_options: Mapped[str] = mapped_column(Text)
    allow_revote: Mapped[bool]
    min_age: Mapped[int | None]
    reference_year: Mapped[int | None]
    election_hash: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VoterRow(Base):
    """One entry of the voter roll: a census identifier or a voting code, stored as a keyed hash."""

    __tablename__ = "voters"
    __table_args__ = (UniqueConstraint("election_id", "credential_hash", name="uq_voters_credential"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    kind: Mapped[str] = mapped_column(String(8))
    credential_hash: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None]


class RollEntry(Protocol):
    """What intake reads of a roll entry: a `VoterRow`, or the columns a batch looked up (`bulk.Voter`)."""

    @property
    def id(self) -> int:
        """The entry's row id (what the voter link and the participation key are keyed on)."""
        ...

    @property
    def kind(self) -> str:
        """`code` or `census`."""
        ...

    @property
    def district(self) -> str | None:
        """The district the roll places the resident in."""
        ...

    @property
    def birth_year(self) -> int | None:
        """The birth year, for census entries."""
        ...


class KioskRow(Base):
    """A kiosk (polling station) where officials check residents in and enter ballots."""

    __tablename__ = "kiosks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    name: Mapped[str] = mapped_column(String(200))


class BallotRow(Base):
    """A ballot, or a kiosk check-in awaiting its ballot (`status` `pending`); only `counted` rows are tallied.

    One row per voter and election (`uq_ballots_voter`), whatever the channel: the database, not the code,
    guarantees one counted ballot per voter. Paper ballots have no voter link.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_link", name="uq_ballots_voter"),
        UniqueConstraint("kiosk_id", "client_uuid", name="uq_ballots_kiosk_uuid"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    voter_link: Mapped[str | None] = mapped_column(String(64))
    ballot_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    district: Mapped[str | None] = mapped_column(String(200))
    selections: Mapped[str] = mapped_column(Text)
    points: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("paper_batches.id"))
    client_uuid: Mapped[str | None] = mapped_column(String(36))


class IdempotencyRow(Base):
    """The first successful answer to a request with an `Idempotency-Key`."""

    __tablename__ = "idempotency_keys"
    # The key first: a batch's lookup is then an index search whatever the statistics (migration 0004).
    __table_args__ = (UniqueConstraint("key", "election_id", name="uq_idempotency_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[str] = mapped_column(Text)


class PaperBatchRow(Base):
    """A batch of paper ballots keyed twice; it counts only once `status` is `reconciled`."""

    __tablename__ = "paper_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id"))
    label: Mapped[str] = mapped_column(String(200))
    envelope_count: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))


class PaperEntryRow(Base):
    """One keying of one paper: pass 1 and 2 by two officials, pass 3 the coordinator's resolution."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("batch_id", "seq", "pass_no", name="uq_paper_entries_pass"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id"))
    seq: Mapped[int]
    pass_no: Mapped[int]
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_tokens.id"))
    content: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """An append-only record of a staff action (database triggers refuse updates and deletes)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_tokens.id"))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(100))
    election_id: Mapped[int | None] = mapped_column(ForeignKey("elections.id"))
    detail: Mapped[str] = mapped_column(Text)


class OfficialRow(Base):
    """An official who signs the election's record: their Ed25519 public key (hex) and, once given, their signature."""

    __tablename__ = "officials"
    __table_args__ = (
        UniqueConstraint("election_id", "name", name="uq_officials_name"),
        UniqueConstraint("election_id", "public_key", name="uq_officials_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))


class RecordRow(Base):
    """The record built at tally: its files as a deterministic zip (without `MANIFEST.json`) and the manifest body."""

    __tablename__ = "records"
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), primary_key=True)
    files: Mapped[bytes] = mapped_column(LargeBinary)
    manifest: Mapped[str] = mapped_column(Text)


class ParticipationRow(Base):
    """A resident who took part, with what they declared (`ballots.participation`); never tied to a ballot.

    No autoincrement id and no time (and `WITHOUT ROWID` on SQLite), so its rows cannot be lined up with ballots.
    """

    __tablename__ = "participation"
    __table_args__ = (
        PrimaryKeyConstraint("election_id", "voter_key", name="pk_participation"),
        {"sqlite_with_rowid": False},
    )
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    voter_key: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(8))
    gender: Mapped[str | None] = mapped_column(String(8))
    age_group: Mapped[str | None] = mapped_column(String(8))
