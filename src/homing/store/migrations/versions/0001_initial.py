"""Initial schema: zones, users, hosts, records, tokens, history, journal.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("mname", sa.String(255), nullable=False),
        sa.Column("rname", sa.String(255), nullable=False),
        sa.Column("nameservers", sa.Text, nullable=False),
        sa.Column("default_ttl", sa.Integer, nullable=False),
        sa.Column("soa_ttl", sa.Integer, nullable=False),
        sa.Column("refresh", sa.Integer, nullable=False),
        sa.Column("retry", sa.Integer, nullable=False),
        sa.Column("expire", sa.Integer, nullable=False),
        sa.Column("minimum", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("fqdn", sa.String(255), nullable=False, unique=True),
        sa.Column("ttl", sa.Integer, nullable=False),
        sa.Column("wildcard", sa.Boolean, nullable=False),
        sa.Column("offline", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=True),
        sa.Column("last_source", sa.String(64), nullable=True),
        sa.Column("last_front_door", sa.String(16), nullable=True),
        sa.Column("nochg_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_hosts_owner", "hosts", ["owner_id"])
    op.create_index("ix_hosts_zone", "hosts", ["zone_id"])
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "host_id", sa.Integer, sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("rtype", sa.String(10), nullable=False),
        sa.Column("ttl", sa.Integer, nullable=False),
        sa.Column("rdata", sa.Text, nullable=False),
        sa.UniqueConstraint("name", "rtype", "rdata", name="uq_records_rr"),
    )
    op.create_index("ix_records_host", "records", ["host_id"])
    op.create_index("ix_records_zone", "records", ["zone_id"])
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "host_id", sa.Integer, sa.ForeignKey("hosts.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_tokens_host", "tokens", ["host_id"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column(
            "host_id", sa.Integer, sa.ForeignKey("hosts.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("fqdn", sa.String(255), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=True),
        sa.Column("credential", sa.String(100), nullable=True),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("front_door", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
    )
    op.create_index("ix_history_host_at", "history", ["host_id", "at"])
    op.create_index("ix_history_at", "history", ["at"])
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column(
            "zone_id", sa.Integer, sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("zone", sa.String(255), nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_journal_zone_serial", "journal", ["zone_id", "serial"])


def downgrade() -> None:
    for table in ("journal", "history", "tokens", "records", "hosts", "users", "zones"):
        op.drop_table(table)
