"""Inline write transactions: committed and rolled back as the driver's, never holding the loop.

``store.write(inline=True)`` runs on both backends (PostgreSQL ignores the
flag); on SQLite its BEGIN IMMEDIATE waits for another process's write lock
in a thread, so the event loop goes on meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from homing.store import schema as t
from homing.store.database import BUSY_TIMEOUT_MS
from homing.store.store import Store

DEADLINE = 10.0
WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def _probe_at(store: Store) -> datetime | None:
    async with store.read() as txn:
        value = (await txn.conn.execute(select(t.write_probe.c.at))).scalar()
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


async def test_an_inline_write_commits(store: Store) -> None:
    async with store.write(inline=True) as txn:
        assert await txn.update_row("write_probe", 1, at=WHEN) == 1
    assert await _probe_at(store) == WHEN


async def test_an_inline_write_that_fails_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.write(inline=True) as txn:
            await txn.update_row("write_probe", 1, at=WHEN)
            raise RuntimeError("half-way")
    assert await _probe_at(store) != WHEN
    async with store.write(inline=True) as txn:  # the connection is back in its pool
        await txn.update_row("write_probe", 1, at=WHEN)
    assert await _probe_at(store) == WHEN


async def _ticks_while(task: asyncio.Task[None]) -> int:
    """Loop turns counted while ``task`` waits for the write lock (it cannot finish meanwhile)."""
    ticks = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        ticks += 1
    assert not task.done()
    return ticks


def _write_behind_a_lock(store: Store) -> tuple[sqlite3.Connection, asyncio.Task[None]]:
    """Another process's connection holding the write lock, and an inline write waiting for it."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with store.write(inline=True) as txn:
            await txn.update_row("write_probe", 1, at=WHEN)

    return other, asyncio.create_task(write())


async def test_waiting_for_the_lock_of_another_process_does_not_hold_the_loop(
    sqlite_store: Store,
) -> None:
    other, task = _write_behind_a_lock(sqlite_store)
    try:
        assert await _ticks_while(task) > 10
    finally:
        other.execute("COMMIT")
        other.close()
    await asyncio.wait_for(task, DEADLINE)
    assert await _probe_at(sqlite_store) == WHEN


async def test_a_write_cancelled_while_it_waits_for_the_lock_gives_its_connection_back(
    sqlite_store: Store,
) -> None:
    other, task = _write_behind_a_lock(sqlite_store)
    await _ticks_while(task)
    task.cancel()
    other.execute("COMMIT")
    other.close()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, DEADLINE)
    assert await _probe_at(sqlite_store) != WHEN
    await asyncio.wait_for(test_an_inline_write_commits(sqlite_store), DEADLINE)


def _held_by_another(path: Path) -> bool:
    """Whether the write lock is taken: another connection cannot take it this instant."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        other.close()
    return False


def _kept(store: Store) -> Connection | None:
    """The connection the inline writer keeps between its transactions."""
    assert store._inline is not None
    return store._inline._kept


def _busy_timeout(store: Store) -> int:
    conn = _kept(store)  # the inline connection's own setting
    assert conn is not None
    return int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one())


async def test_the_connection_of_a_commit_is_kept_for_the_next_and_a_failed_one_is_not(
    sqlite_store: Store,
) -> None:
    async with sqlite_store.write(inline=True) as txn:
        await txn.update_row("write_probe", 1, at=WHEN)
    first = _kept(sqlite_store)
    assert first is not None and not first.in_transaction()
    async with sqlite_store.write(inline=True) as txn:
        assert _kept(sqlite_store) is None  # taken while the transaction is open
        await txn.update_row("write_probe", 1, at=WHEN.replace(hour=13))
    assert _kept(sqlite_store) is first
    with pytest.raises(RuntimeError):
        async with sqlite_store.write(inline=True) as txn:
            await txn.update_row("write_probe", 1, at=WHEN.replace(hour=14))
            raise RuntimeError("half-way")
    assert _kept(sqlite_store) is None
    assert first.closed
    assert await _probe_at(sqlite_store) == WHEN.replace(hour=13)
    async with sqlite_store.write(inline=True) as txn:  # a connection from the pool again
        await txn.update_row("write_probe", 1, at=WHEN.replace(hour=15))
    assert _kept(sqlite_store) is not None
    assert await _probe_at(sqlite_store) == WHEN.replace(hour=15)


async def test_two_inline_writes_at_once_take_turns(sqlite_store: Store) -> None:
    order: list[str] = []

    async def write(label: str, hour: int) -> None:
        async with sqlite_store.write(inline=True) as txn:
            order.append(f"{label} begun")
            await asyncio.sleep(0)
            await txn.update_row("write_probe", 1, at=WHEN.replace(hour=hour))
            order.append(f"{label} done")

    await asyncio.wait_for(asyncio.gather(write("a", 13), write("b", 14)), DEADLINE)
    assert order == ["a begun", "a done", "b begun", "b done"]
    assert await _probe_at(sqlite_store) == WHEN.replace(hour=14)


async def test_a_free_lock_is_taken_on_the_loop_without_a_busy_timeout(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_store.write(inline=True) as txn:  # the pool now holds an idle connection
        await txn.update_row("write_probe", 1, at=WHEN)
    handed_off: list[object] = []
    to_thread = asyncio.to_thread

    async def counted(fn: Any, /, *args: Any) -> Any:
        handed_off.append(fn)
        return await to_thread(fn, *args)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    async with sqlite_store.write(inline=True) as txn:
        assert _held_by_another(sqlite_store.path)
        await txn.update_row("write_probe", 1, at=WHEN.replace(hour=13))
    # The COMMIT alone, which waits for the disk (a WAL checkpoint may run beside it).
    steps = [getattr(fn, "__name__", repr(fn)) for fn in handed_off]
    assert [step for step in steps if step != "checkpoint_now"] == ["commit"]
    assert await _probe_at(sqlite_store) == WHEN.replace(hour=13)
    assert not _held_by_another(sqlite_store.path)
    # Nothing on the loop ever waits for the lock: not even a statement set up for it.
    assert _busy_timeout(sqlite_store) == 0


async def test_the_busy_timeout_is_set_for_the_wait_in_the_thread_alone(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    begin = Connection.begin

    def watched(self: Connection) -> Any:
        timeout = self.connection.dbapi_connection.execute("PRAGMA busy_timeout")  # type: ignore[union-attr]
        seen.append(int(timeout.fetchone()[0]))
        return begin(self)

    other, task = _write_behind_a_lock(sqlite_store)
    monkeypatch.setattr(Connection, "begin", watched)
    try:
        await _ticks_while(task)
    finally:
        other.execute("COMMIT")
        other.close()
    await asyncio.wait_for(task, DEADLINE)
    assert await _probe_at(sqlite_store) == WHEN
    assert BUSY_TIMEOUT_MS in seen
    assert _busy_timeout(sqlite_store) == 0
