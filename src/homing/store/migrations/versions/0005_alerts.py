"""Owners' alerts: per-user settings, the alert follower's cursor, and stale-host marks.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("webhook", sa.Text, nullable=True),
        sa.Column("events", sa.String(64), nullable=False),
        sa.Column("stale_hours", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "alert_cursor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("history_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "stale_alerts",
        sa.Column(
            "host_id",
            sa.Integer,
            sa.ForeignKey("hosts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("last_update", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stale_alerts")
    op.drop_table("alert_cursor")
    op.drop_table("alert_settings")
