"""Opening the database: engines with the right SQLite pragmas, and schema migration.

PostgreSQL's engines and migration live in ``store/postgres.py``;
``migrate_database`` runs whichever the ``Database`` names.

SQLite runs in WAL mode with ``synchronous=FULL`` so that a committed update
survives a crash of the process or the machine. Writers start with ``BEGIN
IMMEDIATE`` so that two processes (``homing serve`` and a management command)
queue on the write lock instead of failing half-way through a transaction.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from homing.errors import StoreError
from homing.store.location import Backend, Database

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0016"
"""The newest migration's revision; tests/store/test_database.py checks it against Alembic."""
BUSY_TIMEOUT_MS = 10_000


def sqlite_path(data_dir: Path) -> Path:
    """Where the embedded database lives inside a data directory."""
    return data_dir / "homing.sqlite3"


def _set_pragmas(dbapi_connection: Any, _record: Any, *, foreign_keys: bool = True) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _migration_pragmas(dbapi_connection: Any, record: Any) -> None:
    """Foreign keys off while the schema changes, as SQLite's ALTER TABLE procedure says.

    A batch migration copies a table, drops the old one and renames the copy;
    with foreign keys on, dropping ``hosts`` deletes every record and token
    that references a host (ON DELETE CASCADE). ``migrate`` checks the keys
    with ``PRAGMA foreign_key_check`` before it commits instead.
    """
    _set_pragmas(dbapi_connection, record, foreign_keys=False)


def open_engine(path: Path, *, writer: bool) -> AsyncEngine:
    """An async engine on the SQLite file; ``writer`` engines take the write lock at BEGIN."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}",
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 4,
    )
    event.listen(engine.sync_engine, "connect", _set_pragmas)
    begin_sql = "BEGIN IMMEDIATE" if writer else "BEGIN"

    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin_sql)

    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _begin_immediate(conn: Connection) -> None:
    """``BEGIN IMMEDIATE``, unless the driver's connection has begun already (the inline
    writer takes the lock itself when it is free, ``store/inline_write.py``)."""
    if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _inline_pragmas(dbapi_connection: Any, record: Any) -> None:
    """The inline writer's: no checkpoint inside its commits (``store/wal_checkpoints.py``),
    and no wait for a lock on the event loop (``store/inline_write.py`` sets the busy
    timeout for the BEGIN it runs in a thread, and only there)."""
    _set_pragmas(dbapi_connection, record)
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
    dbapi_connection.execute("PRAGMA busy_timeout=0")


def open_inline_engine(path: Path) -> Engine:
    """The synchronous writer connection of ``store/inline_write.py``: its statements run on
    the event loop thread, and its BEGIN and COMMIT in a helper thread when they must wait.
    Its commits never checkpoint: whoever uses it runs ``WalCheckpoints`` beside them."""
    engine = create_engine(
        f"sqlite:///{path}",
        pool_size=1,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _inline_pragmas)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def schema_version(path: Path) -> str | None:
    """The Alembic revision recorded in the database, read cheaply (no Alembic import)."""
    if not path.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return str(row[0]) if row else None


def migrate(path: Path) -> None:
    """Bring the database at ``path`` to the newest schema (creating it if needed).

    Management commands run this on every start, so the common case (already
    current) is answered without loading Alembic.
    """
    if schema_version(path) == SCHEMA_HEAD:
        return
    from alembic import command

    config = alembic_config()
    log.info("migrating %s to schema %s", path, SCHEMA_HEAD)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        # Created for its owner only (it holds TSIG secrets and password hashes); SQLite
        # gives its -wal and -shm files the same mode. An empty file is an empty database.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _migration_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            connection.rollback()
            raise StoreError(
                f"migrating {path} would break {len(broken)} references "
                f"(first: {broken[0]!r}); nothing was changed"
            )
        connection.commit()
    engine.dispose()
    log.debug("database %s migrated", path)


def alembic_config() -> AlembicConfig:
    """Alembic pointed at our migrations, quiet: it narrates every step at INFO."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate_database(database: Database) -> None:
    """``migrate`` for either backend: the SQLite file, or the PostgreSQL database."""
    from homing.store.postgres import migrate_postgresql

    if database.path is not None:
        migrate(database.path)
    else:
        await migrate_postgresql(database, head=SCHEMA_HEAD)


async def database_schema_version(database: Database) -> str | None:
    from homing.store.postgres import postgresql_schema_version

    if database.backend is Backend.SQLITE:
        return schema_version(database.path) if database.path is not None else None
    return await postgresql_schema_version(database)


def failure_reason(exc: BaseException) -> str:
    """The driver's own message, first line only, for the one error line users see.

    Not SQLAlchemy's text, which appends the statement's parameters: token
    hashes, TSIG secrets.
    """
    inner = getattr(exc, "orig", None) or exc
    message = str(inner).strip()
    return message.splitlines()[0] if message else type(inner).__name__
