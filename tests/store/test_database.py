"""The store's schema bookkeeping and durability settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from homing.store.database import MIGRATIONS, SCHEMA_HEAD, migrate, schema_version


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
