"""Participation: who took part, by self-declared gender and age group, counted once per resident.

One row per resident and election (primary key `(election_id, voter_key)`, `voter_key` a keyed hash of the roll
entry under its own purpose, never the ballot's `voter_link`), with the district, the channel and what the
resident declared. The table has no autoincrement id and no timestamp, and on SQLite it is `WITHOUT ROWID` (rows
stored in key order, a random order), so its rows cannot be lined up with ballot rows by insertion order and
the breakdowns by gender and age never say how anyone voted. See `ballots.participation`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participation",
        sa.Column("election_id", sa.Integer, sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("voter_key", sa.String(64), nullable=False),
        sa.Column("district", sa.String(200)),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("gender", sa.String(8)),
        sa.Column("age_group", sa.String(8)),
        sa.PrimaryKeyConstraint("election_id", "voter_key", name="pk_participation"),
        sa.CheckConstraint("channel IN ('online', 'kiosk')", name="ck_participation_channel"),
        sa.CheckConstraint("gender IN ('female', 'male', 'other')", name="ck_participation_gender"),
        sa.CheckConstraint(
            "age_group IN ('under-18', '18-29', '30-44', '45-64', '65+')", name="ck_participation_age_group"
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("participation")
