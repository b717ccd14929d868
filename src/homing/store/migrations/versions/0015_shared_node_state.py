"""State every node of one database shares: server secrets, brake and nochg counts.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "shared_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("node", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("until", sa.Float, nullable=True),
    )
    op.create_index("ix_shared_counts_at", "shared_counts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_shared_counts_at", "shared_counts")
    op.drop_table("shared_counts")
    op.drop_table("server_secrets")
