"""DNSSEC: the signing keys of signed zones.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dnssec_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "zone_id",
            sa.Integer,
            sa.ForeignKey("zones.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("algorithm", sa.Integer, nullable=False),
        sa.Column("flags", sa.Integer, nullable=False),
        sa.Column("private_key", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dnssec_keys_zone", "dnssec_keys", ["zone_id"])


def downgrade() -> None:
    op.drop_index("ix_dnssec_keys_zone", "dnssec_keys")
    op.drop_table("dnssec_keys")
