"""Claims between nodes: who sends an alert, who opens an attacked login's gate (issue 9).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_claims",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("through_id", sa.Integer, nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_alert_claims_claimed_at", "alert_claims", ["claimed_at"])
    op.create_table(
        "brake_gates",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("brake_gates")
    op.drop_index("ix_alert_claims_claimed_at", "alert_claims")
    op.drop_table("alert_claims")
