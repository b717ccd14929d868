"""The rows behind "shown once" (``http/web/once.py``): put by a POST, taken by its GET.

Web UI state, like a session, not the installation's data: the core does not
plan these writes, and ``homing db copy`` leaves them behind. Taking is a
read and a delete in one exclusive transaction, so of two nodes asked for
the same key at once only one gets the value; a key that names no row is
answered by a plain read first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from homing.store import schema as t
from homing.store.store import Store


async def keep_shown(
    store: Store, *, key_id: str, user_id: int, sealed: str, expires_at: datetime, now: datetime
) -> None:
    """Keep ``sealed`` under ``key_id`` until ``expires_at``; expired rows go on the way."""
    rows = t.shown_once
    async with store.write() as txn:
        await txn.conn.execute(delete(rows).where(rows.c.expires_at < now))
        await txn.conn.execute(
            insert(rows).values(
                key_id=key_id, user_id=user_id, sealed=sealed, expires_at=expires_at
            )
        )


async def take_shown(store: Store, *, key_id: str, user_id: int, now: datetime) -> str | None:
    """The value kept under ``key_id`` for this user, deleted as it is read; None if there is
    none, it is another user's (left alone) or it has expired."""
    rows = t.shown_once
    mine = (rows.c.key_id == key_id) & (rows.c.user_id == user_id)
    async with store.read() as reading:
        # A guessed or replayed key costs a read, never the exclusive write transaction.
        if (await reading.conn.execute(select(rows.c.key_id).where(mine))).first() is None:
            return None
    async with store.write() as txn:
        fresh = select(rows.c.sealed).where(mine, rows.c.expires_at >= now)
        sealed = (await txn.conn.execute(fresh)).scalar_one_or_none()
        await txn.conn.execute(delete(rows).where(mine))
    return None if sealed is None else str(sealed)
