"""History rows stand for a count of refusals (one row per source and window); a one-row
table ``/health`` writes to find out whether writes still succeed (issue 11).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("count", sa.Integer, nullable=False, server_default="1"))
    probe = op.create_table(
        "write_probe",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    )
    op.bulk_insert(probe, [{"id": 1, "at": None}])


def downgrade() -> None:
    op.drop_table("write_probe")
    with op.batch_alter_table("history") as batch:
        batch.drop_column("count")
