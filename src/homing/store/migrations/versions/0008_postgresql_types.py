"""PostgreSQL: SOA serials as 64-bit integers, text without length limits, long TXT rdata.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Nothing changes on SQLite, whose INTEGER already holds any RFC 1982 serial
and which never enforced a VARCHAR length. PostgreSQL does both: a serial
above 2**31 would not fit an INTEGER, and a hostile over-long value written
to a VARCHAR column (a history row's name) would fail the whole group-commit
transaction. The core validates lengths; the columns become TEXT so that
both backends behave alike. The unique (name, type, rdata) constraint
becomes an index on the rdata's hash: a B-tree entry holds at most ~2.7 kB,
less than a TXT record may carry.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SERIALS = (("zones", "serial"), ("journal", "serial"))


def _varchar_columns() -> list[tuple[str, str]]:
    rows = op.get_bind().exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND data_type = 'character varying'"
        " AND table_name <> 'alembic_version' ORDER BY table_name, column_name"
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in SERIALS:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE BIGINT')
    for table, column in _varchar_columns():
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE TEXT')
    op.execute("ALTER TABLE records DROP CONSTRAINT uq_records_rr")
    op.execute("CREATE UNIQUE INDEX uq_records_rr ON records (name, rtype, md5(rdata))")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX uq_records_rr")
    op.execute("ALTER TABLE records ADD CONSTRAINT uq_records_rr UNIQUE (name, rtype, rdata)")
    for table, column in SERIALS:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE INTEGER')
