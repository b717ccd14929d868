"""PostgreSQL: engines through asyncpg, the write lock, and schema migration (issue 9).

Several ``homing serve`` processes and management commands may write one
database at once. The code above the store was written for SQLite's single
writer (``BEGIN IMMEDIATE``): a write transaction reads the zone serial and
writes it back, appends journal rows whose ids followers read in order, and
hands out ids above ``max_id``. On PostgreSQL every write transaction therefore
starts by taking one transaction-level advisory lock, the same promise: write
transactions run one at a time, so ids (journal, history) are handed out in
commit order and no concurrent commit can overtake a follower's cursor. Reads
never take it. The serial read also says ``FOR UPDATE``, so the row lock
holds even for a writer that bypassed ``Store.write``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from homing.store.location import Database

log = logging.getLogger(__name__)

WRITE_LOCK = 0x686F6D69
"""Advisory lock key of the write transactions ("homi")."""
MIGRATION_LOCK = WRITE_LOCK + 1
"""Advisory lock key held while the schema is checked and upgraded (nodes starting together)."""
CONNECT_TIMEOUT_SECONDS = 10.0


def _connect_args() -> dict[str, Any]:
    # Timestamps come back in UTC like everything we store; the name shows in pg_stat_activity.
    return {
        "server_settings": {"timezone": "UTC", "application_name": "homing"},
        "timeout": CONNECT_TIMEOUT_SECONDS,
    }


def open_postgresql_engine(database: Database, *, writer: bool) -> AsyncEngine:
    """The writer engine has one connection, as on SQLite: in-process writes queue for it."""
    return create_async_engine(
        database.url,
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 4,
        connect_args=_connect_args(),
    )


async def take_write_lock(conn: AsyncConnection) -> None:
    """Wait for the other writers (any node, any command); released by commit or rollback."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


async def advance_sequence(conn: AsyncConnection, table: Table) -> None:
    """Rows inserted with their ids leave ``table``'s id sequence behind: move it past them."""
    await conn.execute(
        select(
            func.setval(
                func.pg_get_serial_sequence(table.name, "id"),
                func.coalesce(func.max(table.c.id), 0) + 1,
                False,
            )
        )
    )


def _version(connection: Connection) -> str | None:
    if connection.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar() is None:
        return None
    value = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if value is None else str(value)


async def postgresql_schema_version(database: Database) -> str | None:
    engine = create_async_engine(database.url, poolclass=NullPool, connect_args=_connect_args())
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_version)
    finally:
        await engine.dispose()


async def migrate_postgresql(database: Database, *, head: str) -> None:
    """Bring the database to ``head`` in one transaction (PostgreSQL's DDL is transactional)."""
    from homing.store.database import alembic_config

    def upgrade(connection: Connection) -> None:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if _version(connection) == head:
            connection.rollback()
            return
        from alembic import command

        log.info("migrating %s to schema %s", database.shown, head)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()

    engine = create_async_engine(database.url, poolclass=NullPool, connect_args=_connect_args())
    try:
        async with engine.connect() as conn:
            await conn.run_sync(upgrade)
    finally:
        await engine.dispose()
