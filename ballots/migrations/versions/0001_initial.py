"""The initial schema: elections, voter roll, ballots, kiosks, paper batches, staff tokens, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)

_PG_APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "staff_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "elections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("rule_options", sa.Text, nullable=False),
        sa.Column("allow_revote", sa.Boolean, nullable=False),
        sa.Column("min_age", sa.Integer),
        sa.Column("reference_year", sa.Integer),
        sa.Column("election_hash", sa.String(64)),
        sa.Column("result", sa.Text),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("opened_at", _TS),
        sa.Column("closed_at", _TS),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed', 'tallied')", name="ck_elections_status"),
    )
    op.create_table(
        "voters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("credential_hash", sa.String(64), nullable=False),
        sa.Column("district", sa.String(200)),
        sa.Column("birth_year", sa.Integer),
        sa.UniqueConstraint("election_id", "credential_hash", name="uq_voters_credential"),
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "paper_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id")),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("envelope_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("voter_link", sa.String(64)),
        sa.Column("receipt", sa.String(40), nullable=False, unique=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("district", sa.String(200)),
        sa.Column("selections", sa.Text, nullable=False),
        sa.Column("points", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("kiosk_id", sa.Integer, sa.ForeignKey("kiosks.id")),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("paper_batches.id")),
        sa.Column("client_uuid", sa.String(36)),
        sa.UniqueConstraint("election_id", "voter_link", name="uq_ballots_voter"),
        sa.UniqueConstraint("kiosk_id", "client_uuid", name="uq_ballots_kiosk_uuid"),
        sa.CheckConstraint("channel IN ('online', 'kiosk', 'paper')", name="ck_ballots_channel"),
        sa.CheckConstraint("status IN ('counted', 'pending', 'spoiled', 'invalid')", name="ck_ballots_status"),
    )
    op.create_index("ix_ballots_election_status", "ballots", ["election_id", "status"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("election_id", "key", name="uq_idempotency_key"),
    )
    op.create_table(
        "paper_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("paper_batches.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("pass_no", sa.Integer, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_tokens.id"), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.UniqueConstraint("batch_id", "seq", "pass_no", name="uq_paper_entries_pass"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_tokens.id")),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id")),
        sa.Column("detail", sa.Text, nullable=False),
    )
    _append_only()


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    for table in (
        "audit_log",
        "paper_entries",
        "idempotency_keys",
        "ballots",
        "paper_batches",
        "kiosks",
        "voters",
        "elections",
        "staff_tokens",
    ):
        op.drop_table(table)
