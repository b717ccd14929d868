"""WAL checkpoints beside the inline writer's commits, not inside them (``wal_checkpoints``).

Whether a checkpoint ran is read off the database file itself: opened with
``immutable=1`` SQLite ignores the WAL, so a row is there only once a
checkpoint has copied its pages back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event

from homing.store.database import _set_pragmas, open_inline_engine
from homing.store.inline_write import InlineWriter
from homing.store.store import Store
from homing.store.wal_checkpoints import WalCheckpoints

PAGES = 1500
"""More than SQLite's automatic checkpoint threshold (1000 pages) in one commit."""
BLOB = b"x" * (PAGES * 4096)


def _in_database_file(path: Path) -> int:
    """Rows of ``big`` in the database file alone, the WAL ignored."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as db:
        try:
            return int(db.execute("SELECT count(*) FROM big").fetchone()[0])
        except sqlite3.OperationalError:  # the table itself is still only in the WAL
            return 0


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "wal.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE big (data BLOB)")
    return path


async def _big_commit(writer: InlineWriter) -> None:
    async with writer.transaction() as conn:
        await conn.exec_driver_sql("INSERT INTO big VALUES (?)", (BLOB,))


async def test_the_inline_writers_commit_leaves_the_checkpoint_to_the_checkpointer(
    tmp_path: Path,
) -> None:
    path = _database(tmp_path)
    checkpoints = WalCheckpoints(path)
    writer = InlineWriter(open_inline_engine(path), after_commit=checkpoints.committed)
    before = _in_database_file(path)
    await _big_commit(writer)
    assert checkpoints._running is not None, "the commit started a checkpoint"
    await checkpoints.close()
    assert checkpoints.completed == 1
    assert _in_database_file(path) == before + 1
    writer.close()


async def test_without_the_checkpointer_the_pages_stay_in_the_wal(tmp_path: Path) -> None:
    path = _database(tmp_path)
    writer = InlineWriter(open_inline_engine(path))
    await _big_commit(writer)
    assert _in_database_file(path) == 0, "the commit checkpointed by itself"
    writer.close()


async def test_an_ordinary_connection_checkpoints_inside_its_commit(tmp_path: Path) -> None:
    """The twin of the test above: SQLite's own checkpoint is seen where it runs."""
    path = _database(tmp_path)
    engine: Engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _set_pragmas)
    writer = InlineWriter(engine)
    await _big_commit(writer)
    assert _in_database_file(path) == 1
    writer.close()


@pytest.mark.parametrize(("interval", "checkpoints_run"), [(3600, 1), (0, 2)])
async def test_a_commit_within_the_interval_leaves_its_pages_for_later(
    tmp_path: Path, interval: float, checkpoints_run: int
) -> None:
    """Two commits, the first one's checkpoint over before the second: a second checkpoint
    only once the interval has passed."""
    path = _database(tmp_path)
    checkpoints = WalCheckpoints(path, interval=interval)
    writer = InlineWriter(open_inline_engine(path), after_commit=checkpoints.committed)
    await _big_commit(writer)
    await checkpoints.close()
    await _big_commit(writer)
    await checkpoints.close()
    assert checkpoints.completed == checkpoints_run
    assert _in_database_file(path) == checkpoints_run
    writer.close()


async def test_one_checkpoint_at_a_time(tmp_path: Path) -> None:
    checkpoints = WalCheckpoints(_database(tmp_path), interval=0)
    checkpoints.committed()
    running = checkpoints._running
    checkpoints.committed()  # the first has not run yet: no second one
    assert running is not None and checkpoints._running is running
    await checkpoints.close()
    assert checkpoints.completed == 1


async def test_the_stores_updates_are_checkpointed_beside_them(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "homing.sqlite3")
    try:
        async with store.write(inline=True) as txn:
            await txn.conn.exec_driver_sql("CREATE TABLE big (data BLOB)")
            await txn.conn.exec_driver_sql("INSERT INTO big VALUES (?)", (BLOB,))
    finally:
        checkpoints = store._checkpoints
        await store.close()
    assert checkpoints is not None
    assert checkpoints.completed == 1


async def test_a_checkpoint_that_fails_is_logged_and_the_next_commit_tries_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpoints = WalCheckpoints(tmp_path / "gone" / "wal.sqlite3", interval=0)
    checkpoints.committed()
    await checkpoints.close()
    assert checkpoints.completed == 0
    assert "WAL checkpoint of" in caplog.text and "failed" in caplog.text
    checkpoints.committed()
    assert checkpoints._running is not None, "a failure does not stop later checkpoints"
    await checkpoints.close()
