"""acme-dns accounts: a challenge name each, with its key (hashed) and allowed networks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
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
        "acme_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(36), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("fqdn", sa.String(255), nullable=False, unique=True),
        sa.Column("allowfrom", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_from", sa.String(64), nullable=True),
    )
    op.create_index("ix_acme_accounts_zone", "acme_accounts", ["zone_id"])


def downgrade() -> None:
    op.drop_table("acme_accounts")
