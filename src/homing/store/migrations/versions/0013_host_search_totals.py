"""Host names searched through a trigram index; hosts counted per owner by triggers;
stale hosts counted on one expression index (issue 15).

* Search: SQLite gets an FTS5 table ``host_names`` with the ``trigram``
  tokenizer over ``hosts.fqdn`` (external content: the names are not stored
  twice), PostgreSQL a GIN ``pg_trgm`` index on ``hosts.fqdn``. The FTS5
  table holds the hosts up to ``host_names_upto.upto``; triggers keep those
  in step with every write to ``hosts``, whoever makes it, and the writer
  indexes newer hosts in small batches (``store/search.py`` says why);
  ``host_name_trigrams`` (fts5vocab) lists the trigrams it holds.
* ``host_totals``: the number of hosts of each owner, kept by triggers on
  ``hosts`` (insert, delete, a change of owner), so the dashboard's total is
  one row, not a count of a million index entries.
* ``ix_hosts_seen_at`` / ``ix_hosts_owner_seen_at`` on
  ``coalesce(updated_at, created_at)``, the moment a host was last heard of:
  a host is stale when that is before the cutoff, so the stale count reads
  only the stale hosts' entries. They replace 0010's two-column indexes,
  whose OR condition made the count read every host of the account.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SEEN_AT = "coalesce(updated_at, created_at)"

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE host_names USING fts5("
    "fqdn, content='hosts', content_rowid='id', tokenize='trigram case_sensitive 1')",
    "CREATE TABLE host_names_upto (upto INTEGER NOT NULL)",
    "INSERT INTO host_names_upto (upto) SELECT coalesce(max(id), 0) FROM hosts",
    "CREATE TRIGGER host_names_insert AFTER INSERT ON hosts"
    " WHEN new.id <= (SELECT upto FROM host_names_upto) BEGIN"
    " INSERT INTO host_names (rowid, fqdn) VALUES (new.id, new.fqdn); END",
    "CREATE TRIGGER host_names_delete AFTER DELETE ON hosts"
    " WHEN old.id <= (SELECT upto FROM host_names_upto) BEGIN"
    " INSERT INTO host_names (host_names, rowid, fqdn) VALUES ('delete', old.id, old.fqdn); END",
    "CREATE TRIGGER host_names_update AFTER UPDATE OF fqdn ON hosts"
    " WHEN old.id <= (SELECT upto FROM host_names_upto) BEGIN"
    " INSERT INTO host_names (host_names, rowid, fqdn) VALUES ('delete', old.id, old.fqdn);"
    " INSERT INTO host_names (rowid, fqdn) VALUES (new.id, new.fqdn); END",
    "INSERT INTO host_names (host_names) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE host_name_trigrams USING fts5vocab(host_names, 'row')",
)
SQLITE_TOTALS = (
    "CREATE TRIGGER host_totals_insert AFTER INSERT ON hosts BEGIN"
    " INSERT INTO host_totals (owner_id, total) VALUES (new.owner_id, 1)"
    " ON CONFLICT (owner_id) DO UPDATE SET total = total + 1; END",
    "CREATE TRIGGER host_totals_delete AFTER DELETE ON hosts BEGIN"
    " UPDATE host_totals SET total = total - 1 WHERE owner_id = old.owner_id; END",
    "CREATE TRIGGER host_totals_owner AFTER UPDATE OF owner_id ON hosts"
    " WHEN old.owner_id <> new.owner_id BEGIN"
    " UPDATE host_totals SET total = total - 1 WHERE owner_id = old.owner_id;"
    " INSERT INTO host_totals (owner_id, total) VALUES (new.owner_id, 1)"
    " ON CONFLICT (owner_id) DO UPDATE SET total = total + 1; END",
)
POSTGRESQL_TOTALS = (
    """CREATE FUNCTION host_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE host_totals SET total = total - 1 WHERE owner_id = OLD.owner_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO host_totals (owner_id, total) VALUES (NEW.owner_id, 1)
        ON CONFLICT (owner_id) DO UPDATE SET total = host_totals.total + 1;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER host_totals_insert_delete AFTER INSERT OR DELETE ON hosts"
    " FOR EACH ROW EXECUTE FUNCTION host_totals_follow()",
    "CREATE TRIGGER host_totals_owner AFTER UPDATE OF owner_id ON hosts"
    " FOR EACH ROW WHEN (OLD.owner_id <> NEW.owner_id) EXECUTE FUNCTION host_totals_follow()",
)
POSTGRESQL_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_hosts_fqdn_trgm ON hosts USING gin (fqdn gin_trgm_ops)",
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "host_totals",
        sa.Column(
            "owner_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("total", sa.Integer, nullable=False),
    )
    op.execute(
        "INSERT INTO host_totals (owner_id, total)"
        " SELECT owner_id, count(*) FROM hosts GROUP BY owner_id"
    )
    for statement in (
        (POSTGRESQL_TOTALS + POSTGRESQL_SEARCH) if postgresql else (SQLITE_TOTALS + SQLITE_SEARCH)
    ):
        op.execute(statement)
    op.drop_index("ix_hosts_owner_seen", table_name="hosts")
    op.drop_index("ix_hosts_seen", table_name="hosts")
    op.create_index("ix_hosts_seen_at", "hosts", [sa.text(SEEN_AT)])
    op.create_index("ix_hosts_owner_seen_at", "hosts", ["owner_id", sa.text(SEEN_AT)])


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_hosts_owner_seen_at", table_name="hosts")
    op.drop_index("ix_hosts_seen_at", table_name="hosts")
    op.create_index("ix_hosts_seen", "hosts", ["updated_at", "created_at"])
    op.create_index("ix_hosts_owner_seen", "hosts", ["owner_id", "updated_at", "created_at"])
    if postgresql:
        op.execute("DROP INDEX ix_hosts_fqdn_trgm")
        op.execute("DROP TRIGGER host_totals_owner ON hosts")
        op.execute("DROP TRIGGER host_totals_insert_delete ON hosts")
        op.execute("DROP FUNCTION host_totals_follow()")
    else:
        for trigger in ("host_names_insert", "host_names_delete", "host_names_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        for trigger in ("host_totals_insert", "host_totals_delete", "host_totals_owner"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE host_name_trigrams")
        op.execute("DROP TABLE host_names")
        op.execute("DROP TABLE host_names_upto")
    op.drop_table("host_totals")
