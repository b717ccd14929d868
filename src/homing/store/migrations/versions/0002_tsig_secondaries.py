"""TSIG keys (RFC 2136 updates, signed transfers) and the secondaries allowed to transfer zones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tsig_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("algorithm", sa.String(32), nullable=False),
        sa.Column("secret", sa.String(255), nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("types", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_tsig_keys_zone", "tsig_keys", ["zone_id"])
    op.create_table(
        "secondaries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("port", sa.Integer, nullable=False),
        sa.Column(
            "tsig_key_id",
            sa.Integer,
            sa.ForeignKey("tsig_keys.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("zone_id", "address", "port", name="uq_secondaries_target"),
    )
    op.create_index("ix_secondaries_zone", "secondaries", ["zone_id"])


def downgrade() -> None:
    op.drop_table("secondaries")
    op.drop_table("tsig_keys")
