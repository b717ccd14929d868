"""What a form's redirect shows once, kept in the database for every node (issue 15).

A new token is shown on the page the POST redirects to; behind a load
balancer that GET may reach another node, so the value waits in the shared
database, sealed with a key only the redirect's URL carries
(``http/web/once.py``), for a few minutes at most.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shown_once",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shown_once_expires", "shown_once", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_shown_once_expires", table_name="shown_once")
    op.drop_table("shown_once")
