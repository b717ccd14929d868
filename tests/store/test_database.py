"""The store's schema bookkeeping and durability settings; migrations on both backends."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from homing.store.database import (
    MIGRATIONS,
    SCHEMA_HEAD,
    alembic_config,
    database_schema_version,
    migrate,
    migrate_database,
    schema_version,
)
from homing.store.location import Database
from homing.store.store import Store


def test_schema_head_matches_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrate_creates_a_wal_database_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "homing.sqlite3"
    assert schema_version(path) is None
    migrate(path)
    assert schema_version(path) == SCHEMA_HEAD
    migrate(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"zones", "users", "hosts", "records", "tokens", "history", "journal"} <= tables
    assert {"tsig_keys", "secondaries", "acme_accounts"} <= tables


def _upgrade_to(path: Path, revision: str) -> None:
    """An installation as an older release left it, at ``revision``."""
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()
    engine.dispose()


def test_an_upgrade_keeps_every_host_record_and_token(tmp_path: Path) -> None:
    """Batch migrations copy tables; with foreign keys on, dropping the old ``hosts`` table
    would cascade into records and tokens. Nothing may be lost on the way to the head."""
    path = tmp_path / "homing.sqlite3"
    _upgrade_to(path, "0006")
    now = "2026-11-30 12:00:00.000000"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(
            "INSERT INTO zones (id, name, serial, mname, rname, nameservers, default_ttl, soa_ttl,"
            " refresh, retry, expire, minimum, created_at) VALUES (1, 'dyn.example.', 1,"
            " 'ns1.dyn.example.', 'hostmaster.dyn.example.', 'ns1.dyn.example.', 60, 3600,"
            " 3600, 600, 1209600, 60, ?)",
            (now,),
        )
        db.execute(
            "INSERT INTO users (id, name, is_admin, created_at) VALUES (1, 'a', 0, ?)", (now,)
        )
        db.execute(
            "INSERT INTO hosts (id, zone_id, owner_id, fqdn, ttl, wildcard, offline, created_at,"
            " nochg_count) VALUES (1, 1, 1, 'home.dyn.example.', 60, 0, 0, ?, 0)",
            (now,),
        )
        db.execute(
            "INSERT INTO records (zone_id, host_id, name, rtype, ttl, rdata)"
            " VALUES (1, 1, 'home.dyn.example.', 'A', 60, '192.0.2.1')"
        )
        db.execute(
            "INSERT INTO tokens (token_hash, prefix, user_id, host_id, label, created_at)"
            " VALUES ('h', 'hm_x', 1, 1, '', ?)",
            (now,),
        )
    migrate(path)
    assert schema_version(path) == SCHEMA_HEAD
    with sqlite3.connect(path) as db:
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
        # 0013 indexes and counts the hosts that were there before it (issue 15).
        found = db.execute("SELECT rowid FROM host_names WHERE host_names MATCH '\"ome.d\"'")
        assert found.fetchall() == [(1,)]
        assert db.execute("SELECT owner_id, total FROM host_totals").fetchall() == [(1, 1)]
    assert counts == [1, 1, 1]


TABLES = ("hosts", "records", "tokens")


EARLIER = [f"{n:04d}" for n in range(1, int(SCHEMA_HEAD))]


async def _upgrade_database_to(database: Database, revision: str) -> None:
    """``_upgrade_to`` for either backend, through the async engine as the store migrates."""
    from alembic import command
    from sqlalchemy import Connection
    from sqlalchemy.ext.asyncio import create_async_engine

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()

    engine = create_async_engine(database.url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("revision", EARLIER)
async def test_every_earlier_revision_upgrades_to_the_head(
    database: Database, revision: str
) -> None:
    """From empty to ``revision``, a zone written there, then ``homing db upgrade``'s path."""
    await _upgrade_database_to(database, revision)
    assert await database_schema_version(database) == revision
    store = Store(database)
    try:
        async with store.write() as txn:
            await txn.conn.execute(
                text(
                    "INSERT INTO zones (name, serial, mname, rname, nameservers, default_ttl,"
                    " soa_ttl, refresh, retry, expire, minimum, created_at) VALUES ('kept.',"
                    " 1, 'ns.kept.', 'h.kept.', 'ns.kept.', 60, 60, 60, 60, 60, 60, :at)"
                ),
                {"at": datetime(2026, 12, 1, tzinfo=UTC)},
            )
    finally:
        await store.close()
    await migrate_database(database)
    assert await database_schema_version(database) == SCHEMA_HEAD
    store = await Store.open(database)
    try:
        zone = await store.find_zone("kept.")
        assert zone is not None
        async with store.write() as txn:
            await txn.update_row("zones", zone.id, serial=2**32 - 1)
        zone = await store.find_zone("kept.")
        assert zone is not None and zone.serial == 2**32 - 1
    finally:
        await store.close()
