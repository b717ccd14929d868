"""REST API: API tokens (hashed, scoped, expiring), host notes, and the record types a zone allows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(24), nullable=False),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("read_only", sa.Boolean, nullable=False),
        sa.Column("hosts", sa.Text, nullable=False),
        sa.Column("types", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])
    # Plain ALTER TABLE ADD COLUMN: a batch copy of ``hosts`` would cascade-delete its records.
    op.add_column("hosts", sa.Column("notes", sa.Text, nullable=False, server_default=""))
    op.add_column(
        "zones", sa.Column("record_types", sa.Text, nullable=False, server_default="A AAAA TXT")
    )


def downgrade() -> None:
    with op.batch_alter_table("zones") as batch:
        batch.drop_column("record_types")
    with op.batch_alter_table("hosts") as batch:
        batch.drop_column("notes")
    op.drop_table("api_tokens")
