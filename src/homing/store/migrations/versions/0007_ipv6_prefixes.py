"""IPv6 prefix updates: a host's interface identifier, prefix length, and the host it follows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("ipv6_interface_id", sa.String(45), nullable=True))
        batch.add_column(
            sa.Column("ipv6_prefix_length", sa.Integer, nullable=False, server_default="64")
        )
        batch.add_column(sa.Column("follows_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_hosts_follows_id", "hosts", ["follows_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_hosts_follows", ["follows_id"])


def downgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.drop_index("ix_hosts_follows")
        batch.drop_constraint("fk_hosts_follows_id", type_="foreignkey")
        batch.drop_column("follows_id")
        batch.drop_column("ipv6_prefix_length")
        batch.drop_column("ipv6_interface_id")
