"""WAL checkpoints beside the writer's commits, not inside them.

SQLite copies the WAL back into the database file (a checkpoint) when a
commit leaves the WAL longer than ``wal_autocheckpoint`` pages, and it does
so inside that commit: up to a thousand pages written where they belong and
the database file synced, while the update that committed, and every update
queued behind it on the write lock, wait for their answer. At a million
hosts those pages lie far apart, and the sync took long enough that a
feed of 50 updates a second found all sixteen of its connections waiting
(bench/README.md, "Checkpoints beside the commits").

The serving process's writer connection has automatic checkpoints off
(``open_inline_engine``); after its commits this runs a PASSIVE checkpoint
on a connection of its own in a thread, at most one at a time and at most
every ``INTERVAL`` seconds. A PASSIVE checkpoint waits for no reader and no
writer, so commits go on meanwhile. Durability is unchanged: each commit
still syncs the WAL before it is answered; a checkpoint only moves pages
that are durable already. Other processes' connections (management
commands) keep SQLite's automatic checkpoints.

The WAL stays short, and after a complete checkpoint the next commit writes
it from its start again, into disk blocks it has already: on a full disk
such a commit succeeds while one that needs a new block fails. ``/health``
therefore also counts the writes that failed, not only its probe (its
module docstring; ``tests/integration/test_hardening.py`` fills a disk).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL = 0.5
"""Seconds between the starts of two checkpoints. A lone update writes some eighteen WAL
pages: at 50 a second, a checkpoint of about 450 pages every half second beside the
commits, where SQLite would copy a thousand inside every fifty-fifth commit."""


class WalCheckpoints:
    """PASSIVE checkpoints of one SQLite file, started after commits (module docstring)."""

    def __init__(self, path: Path, *, interval: float = INTERVAL) -> None:
        self._path = path
        self._interval = interval
        self._db: sqlite3.Connection | None = None
        self._running: asyncio.Task[None] | None = None
        self._last_start = float("-inf")
        self.completed = 0
        """Checkpoints run to the end (for tests)."""

    def committed(self) -> None:
        """A commit of the writer's: start a checkpoint unless one runs or one started lately."""
        now = time.monotonic()
        if self._running is not None or now - self._last_start < self._interval:
            return
        self._last_start = now
        self._running = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            await asyncio.to_thread(self.checkpoint_now)
        except sqlite3.Error as exc:
            # The next commit tries again; meanwhile the WAL only grows.
            log.warning("WAL checkpoint of %s failed: %s", self._path, exc)
        finally:
            self._running = None

    def checkpoint_now(self) -> None:
        """The checkpoint itself, in the calling thread."""
        if self._db is None:
            self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.completed += 1

    async def close(self) -> None:
        """Wait for a running checkpoint, then close the connection."""
        if self._running is not None:
            await asyncio.wait([self._running])
        if self._db is not None:
            self._db.close()
            self._db = None
