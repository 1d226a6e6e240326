"""The published record: ballots keep only their published `ballot_id`; officials' keys and signatures; records.

- `ballots.receipt` becomes `ballots.ballot_id` (64 hex digits, `pbvote.record.receipts.receipt_ballot_id` of the
  receipt code and the election hash): the receipt code itself is never stored;
- `officials`: the officials of an election, their Ed25519 public keys (frozen into `election.json` when voting
  opens) and, once they have signed it, their signature of the record's manifest;
- `records`: the record built at tally, its files (a deterministic zip, `MANIFEST.json` not included) and the
  manifest body the officials sign.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballots") as batch:
        batch.alter_column("receipt", new_column_name="ballot_id", type_=sa.String(64), existing_nullable=False)
    op.create_table(
        "officials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128)),
        sa.UniqueConstraint("election_id", "name", name="uq_officials_name"),
        sa.UniqueConstraint("election_id", "public_key", name="uq_officials_key"),
    )
    op.create_table(
        "records",
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("files", sa.LargeBinary, nullable=False),
        sa.Column("manifest", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("records")
    op.drop_table("officials")
    with op.batch_alter_table("ballots") as batch:
        batch.alter_column("ballot_id", new_column_name="receipt", type_=sa.String(40), existing_nullable=False)
