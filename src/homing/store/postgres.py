"""PostgreSQL: asyncpg engines and point reads, the write lock, commit notices, migration (issue 9).

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

import asyncio
import enum
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

import asyncpg
from sqlalchemy import Connection, Row, Select, Table, func, select, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from homing.errors import StoreError
from homing.store.database import alembic_config, failure_reason
from homing.store.location import Database
from homing.store.reads import POINT_READS, MappedRow

log = logging.getLogger(__name__)

WRITE_LOCK = 0x686F6D69
"""Advisory lock key of the write transactions ("homi")."""
MIGRATION_LOCK = WRITE_LOCK + 1
"""Advisory lock key held while the schema is checked and upgraded (nodes starting together)."""
CONNECT_TIMEOUT_SECONDS = 10.0
NOTICE_CHANNEL = "homing_journal"
NOTICE_RETRY_SECONDS = 1.0
ASYNCPG_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


def _connect_args() -> dict[str, Any]:
    # Timestamps come back in UTC like everything we store; the name shows in pg_stat_activity.
    return {
        "server_settings": {"timezone": "UTC", "application_name": "homing"},
        "timeout": CONNECT_TIMEOUT_SECONDS,
    }


def asyncpg_arguments(database: Database) -> dict[str, Any]:
    """asyncpg's ``connect`` arguments, read from the URL as SQLAlchemy's engines read it.

    So that the URL's options (``?ssl=require``) mean the same to the engines and
    to the connections made by asyncpg alone (point reads, notices).
    """
    _args, options = ASYNCPG_DIALECT.create_connect_args(database.url)  # type: ignore[no-untyped-call]
    return {**options, **_connect_args()}


class Role(enum.Enum):
    """What an engine's connections are for; each gets the isolation that role needs."""

    WRITER = "READ COMMITTED"
    """After the write lock is granted, each statement sees every earlier writer's commit
    (REPEATABLE READ would keep the snapshot taken before the wait)."""
    READER = "REPEATABLE READ"
    """``Store.read``: every statement of the transaction sees one committed state."""


POOL_SIZES = {Role.WRITER: 1, Role.READER: 4}
POINT_READ_CONNECTIONS = 8
"""With the pools above, 13 connections per process (docs/nodes.md counts them).

No overflow: a connection opened for a burst and closed after it costs PostgreSQL a
backend process each time, and bench/updates.py lost most of its time to that."""


def open_postgresql_engine(database: Database, *, role: Role) -> AsyncEngine:
    """The writer engine has one connection, as on SQLite: in-process writes queue for it."""
    return create_async_engine(
        database.url,
        pool_size=POOL_SIZES[role],
        max_overflow=0,
        # After a database restart a pooled connection can look open and be dead; one
        # round trip per checkout (a batch, a listing) finds out and replaces it.
        pool_pre_ping=True,
        isolation_level=role.value,
        connect_args=_connect_args(),
    )


class PointReads:
    """Reads of one row by a unique key, straight through asyncpg, on every update's path.

    The same statements as SQLAlchemy's, compiled once; asyncpg returns the
    same Python values SQLAlchemy's asyncpg dialect would (bool, int, str,
    aware datetime). Going around SQLAlchemy's async layer costs a fifth of
    the CPU per read (0.1 ms instead of 0.45 ms on loopback, bench/updates.py).
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._sql: dict[int, tuple[str, tuple[str, ...]]] = {}

    async def _connections(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    **asyncpg_arguments(self._database),
                    # No floor to restore: asyncpg would retry it noisily while the
                    # database is down; connections come back on the next read.
                    min_size=0,
                    max_size=POINT_READ_CONNECTIONS,
                )
        return self._pool

    def _compiled(self, statement: Select[Any]) -> tuple[str, tuple[str, ...]]:
        found = self._sql.get(id(statement))
        if found is None:
            compiled = statement.compile(dialect=ASYNCPG_DIALECT)
            found = (str(compiled), tuple(compiled.positiontup or ()))
            self._sql[id(statement)] = found
        return found

    async def first(self, statement: Select[Any], params: Mapping[str, Any]) -> Row[Any] | None:
        """``statement`` must be one of the module-level constants of ``store/reads.py``."""
        if statement not in POINT_READS:
            raise ValueError("a point read must be one of reads.POINT_READS")
        sql, names = self._compiled(statement)
        pool = self._pool or await self._connections()
        try:
            async with pool.acquire() as conn:
                record = await conn.fetchrow(sql, *(params[name] for name in names))
        except (asyncpg.PostgresError, OSError) as exc:
            raise StoreError(f"database {self._database.shown}: {failure_reason(exc)}") from exc
        return None if record is None else cast("Row[Any]", MappedRow(record))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


class CommitNotices:
    """LISTEN for other processes' journal commits: how one node follows the others.

    A write transaction that appended to the journal sends ``NOTIFY`` before it
    commits (PostgreSQL delivers it with the commit, never without it);
    ``wake`` then makes the writer read the journal at once instead of at its
    next poll. After any (re)connection ``wake`` is called too: whatever was
    committed while nobody listened is in the journal, whose order no
    concurrent commit can overtake (the write lock). The poll stays as the
    fallback while the listening connection is down.
    """

    def __init__(self, database: Database, *, me: str, wake: Callable[[], None]) -> None:
        self._database = database
        self._me = me
        self._wake = wake

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload != self._me:
            self._wake()

    async def listen(self) -> None:
        """Run until cancelled, reconnecting after ``NOTICE_RETRY_SECONDS``."""
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(**asyncpg_arguments(self._database))
                lost = asyncio.Event()
                conn.add_termination_listener(functools.partial(_set, lost))
                await conn.add_listener(NOTICE_CHANNEL, self._heard)
                self._wake()
                await lost.wait()
                log.warning("lost the notice connection to %s; polling", self._database)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("cannot listen on %s: %s", self._database, failure_reason(exc))
            finally:
                if conn is not None and not conn.is_closed():
                    await conn.close()
            await asyncio.sleep(NOTICE_RETRY_SECONDS)


def _set(event: asyncio.Event, _conn: object) -> None:
    event.set()


async def notify_commit(conn: AsyncConnection, me: str) -> None:
    """Tell the listeners (``CommitNotices``) that this transaction wrote to the journal."""
    await conn.execute(select(func.pg_notify(NOTICE_CHANNEL, me)))


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
