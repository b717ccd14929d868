"""Indexes for the long lists (issue 15): hosts by owner and name, by last contact;
tokens by user; refusals by time.

A page of an owner's hosts sorted by name, the count of stale hosts and a
user's update tokens are each a range of one index instead of a scan and a
sort of every row: a million hosts in one account answer like three.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

REFUSED_SQL = "outcome NOT IN ('good', 'nochg')"

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_hosts_owner_fqdn", "hosts", ["owner_id", "fqdn"])
    op.drop_index("ix_hosts_owner", table_name="hosts")
    op.create_index("ix_hosts_seen", "hosts", ["updated_at", "created_at"])
    op.create_index("ix_hosts_owner_seen", "hosts", ["owner_id", "updated_at", "created_at"])
    op.create_index("ix_tokens_user", "tokens", ["user_id"])
    op.create_index(
        "ix_history_refusals",
        "history",
        ["at"],
        sqlite_where=sa.text(REFUSED_SQL),
        postgresql_where=sa.text(REFUSED_SQL),
    )


def downgrade() -> None:
    op.drop_index("ix_history_refusals", table_name="history")
    op.drop_index("ix_tokens_user", table_name="tokens")
    op.drop_index("ix_hosts_owner_seen", table_name="hosts")
    op.drop_index("ix_hosts_seen", table_name="hosts")
    op.create_index("ix_hosts_owner", "hosts", ["owner_id"])
    op.drop_index("ix_hosts_owner_fqdn", table_name="hosts")
