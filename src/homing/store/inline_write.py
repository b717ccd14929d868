"""SQLite write transactions whose statements run on the event loop thread.

Through aiosqlite every statement is a hand-off to the driver's thread and
back, and each wakes the event loop: a transaction of eleven small
statements cost two to three times the CPU of the same run inline
(bench/README.md, "Datagrams by the batch, and the writer inline"). Here
the statements run where the transaction's code runs: holding the write
lock, a WAL writer never waits, and an indexed statement costs tens of
microseconds (as the point reads of ``sqlite_reads`` do).

Only the steps that can wait go to a thread, for a hand-off and back costs
about a tenth of a millisecond of CPU under uvloop (bench/README.md, "One
thread hand-off per lone update"). ``COMMIT`` waits for the disk: always
in the thread. ``BEGIN IMMEDIATE`` queues on the file's write lock behind
another process: it is first tried on the loop, where the connection's busy
timeout is zero, and only when the lock is taken (or the attempt fails
otherwise) run in the thread as SQLAlchemy's, with the busy timeout set
for that wait alone. Setting the timeout to zero and back around every
BEGIN on the loop cost two statements of each lone update. The
connection a transaction committed on is kept for the next one
(``InlineWriter``); otherwise the pool's is taken on the loop when it is
idle there, opened in the thread when it is not.

The writer uses it for its batches of host edits and RFC 2136 updates,
which are small by construction; management operations, which may touch
a whole zone, keep the driver's thread so that they never hold the loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import QueuePool

from homing.store.database import BUSY_TIMEOUT_MS
from homing.store.sqlite_writes import DriverStatements

T = TypeVar("T")


class InlineConnection:
    """What the store's transactions use of ``AsyncConnection``, over a synchronous Connection.

    Each coroutine finishes without suspending: the statement runs at once.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect
        self._driver = DriverStatements(conn.connection.dbapi_connection)  # type: ignore[arg-type]

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        """On the driver when ``sqlite_writes`` can run the statement, else through SQLAlchemy."""
        # Only inside the open transaction: after it, SQLAlchemy says the connection is closed.
        result = (
            self._driver.execute(statement, parameters) if self._conn.in_transaction() else None
        )
        if result is None:
            return self._conn.execute(statement, parameters)
        return result

    async def exec_driver_sql(self, sql: str, parameters: Any = None) -> Any:
        return self._conn.exec_driver_sql(sql, parameters)

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return fn(self._conn, *args)

    async def get_raw_connection(self) -> Any:
        return self._conn.connection


async def _in_thread(fn: Callable[[], T]) -> T:
    """``fn`` in a thread, waited for to the end even when the caller is cancelled meanwhile:
    the connection is not touched again before BEGIN or COMMIT has returned."""
    task = asyncio.ensure_future(asyncio.to_thread(fn))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


def _begun_at_once(db: sqlite3.Connection) -> bool:
    """``BEGIN IMMEDIATE`` if the write lock is free this instant (the connection's busy
    timeout is zero, ``database.open_inline_engine``); False (nothing begun) if not."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        # Busy, or an error SQLAlchemy's BEGIN in the thread will raise as its own.
        return False
    return True


def _begin_waiting(conn: Connection) -> None:
    """SQLAlchemy's BEGIN, waiting up to the busy timeout for the lock (in the thread)."""
    db = conn.connection.dbapi_connection
    assert db is not None
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        conn.begin()
    finally:
        db.execute("PRAGMA busy_timeout=0")


async def _connect(engine: Engine) -> Connection:
    """The pool's idle connection, taken on the loop; a new one is opened in the thread."""
    pool = engine.pool
    if isinstance(pool, QueuePool) and pool.checkedin():
        return engine.connect()
    return await _in_thread(engine.connect)


async def _begin(conn: Connection) -> None:
    if _begun_at_once(conn.connection.dbapi_connection):  # type: ignore[arg-type]
        conn.begin()  # SQLAlchemy's transaction over the one begun (its listener sees it open)
    else:
        await _in_thread(lambda: _begin_waiting(conn))


class InlineWriter:
    """The inline write transactions of one SQLite file, on one connection kept between them.

    Taking the pool's connection and giving it back (SQLAlchemy's checkout, its
    ``Connection``, the reset on return) cost about as much CPU as the
    transaction's BEGIN and COMMIT together, for every lone update. The
    connection a transaction committed on is kept for the next one; one that
    failed is given back to its pool (which resets it) and a new one taken.
    Transactions take turns: a second one begins when the first has ended.
    """

    def __init__(self, engine: Engine, *, after_commit: Callable[[], None] | None = None) -> None:
        """``after_commit`` is told of each commit (``wal_checkpoints``: the engine's
        connections leave checkpoints to it)."""
        self._engine = engine
        self._after_commit = after_commit
        self._kept: Connection | None = None
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """An exclusive write transaction (module docstring), committed when the block exits
        cleanly."""
        async with self._turn:
            conn, self._kept = self._kept, None
            if conn is None or conn.closed or conn.invalidated:
                conn = await _connect(self._engine)
            committed = False
            try:
                await _begin(conn)
                try:
                    yield cast(AsyncConnection, InlineConnection(conn))
                except BaseException:
                    conn.rollback()
                    raise
                await _in_thread(conn.commit)
                committed = True
                if self._after_commit is not None:
                    self._after_commit()
            finally:
                if committed:
                    self._kept = conn
                else:
                    conn.close()

    def close(self) -> None:
        """Give the kept connection back and close the pool's."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        self._engine.dispose()
