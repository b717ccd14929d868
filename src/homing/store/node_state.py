"""Rows every node of one database shares: named server secrets, shared counts, gates.

Named statements for ``core/session_key.py`` and ``core/shared_counts.py``
over an open transaction (issue 9 item 4).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from homing.store import schema as t
from homing.store.transaction import ReadTransaction, WriteTransaction


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedCount:
    """One brake failure, lock or clear, or one nochg count, as a node told the others."""

    node: str
    scope: str
    kind: str
    key: str
    at: float
    until: float | None = None


async def read_secret(txn: ReadTransaction, name: str) -> str | None:
    query = select(t.server_secrets.c.secret).where(t.server_secrets.c.name == name)
    return (await txn.conn.execute(query)).scalar_one_or_none()


async def store_secret(txn: WriteTransaction, name: str, secret: str, *, at: datetime) -> None:
    """Store the secret under ``name``, replacing the one there."""
    await txn.upsert(
        "server_secrets", key={"name": name}, values={"secret": secret, "created_at": at}
    )


async def add_shared_counts(txn: WriteTransaction, counts: Sequence[SharedCount]) -> None:
    if not counts:
        return
    txn.touched.add("shared_counts")
    await txn.conn.execute(
        insert(t.shared_counts),
        [
            {
                "node": c.node,
                "scope": c.scope,
                "kind": c.kind,
                "key": json.dumps(c.key),  # keys hold NUL (brake pairs): PostgreSQL text cannot
                "at": c.at,
                "until": c.until,
            }
            for c in counts
        ],
    )


async def shared_counts_after(
    txn: ReadTransaction, last_id: int, *, since: float, limit: int
) -> list[tuple[int, SharedCount]]:
    """Rows after id ``last_id`` (ids are commit-ordered: writers hold the write lock),
    newer than ``since`` or still locking then, oldest first."""
    c = t.shared_counts.c
    query = (
        select(t.shared_counts)
        .where((c.id > last_id) & ((c.at > since) | (c.until > since)))
        .order_by(c.id)
        .limit(limit)
    )
    rows = await txn.conn.execute(query)
    return [
        (
            row.id,
            SharedCount(
                node=row.node,
                scope=row.scope,
                kind=row.kind,
                key=json.loads(row.key),
                at=row.at,
                until=row.until,
            ),
        )
        for row in rows
    ]


async def prune_shared_counts(txn: WriteTransaction, *, before: float) -> int:
    """Forget counts older than ``before`` whose lock (if any) ran out by then too."""
    c = t.shared_counts.c
    result = await txn.conn.execute(
        delete(t.shared_counts).where((c.at < before) & ((c.until.is_(None)) | (c.until < before)))
    )
    return int(result.rowcount or 0)


async def claim_gate(txn: WriteTransaction, key: str, *, at: float, interval: float) -> bool:
    """Open gate ``key`` at ``at`` (wall clock) unless a node opened it ``interval`` before."""
    insert_new = postgresql.insert if txn.conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert_new(t.brake_gates).values(key=key, at=at)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"at": statement.excluded.at},
        where=t.brake_gates.c.at <= statement.excluded.at - interval,
    )
    claimed = await txn.conn.execute(statement.returning(t.brake_gates.c.key))
    return claimed.first() is not None


async def forget_gate(txn: WriteTransaction, key: str) -> None:
    await txn.conn.execute(delete(t.brake_gates).where(t.brake_gates.c.key == key))


async def prune_gates(txn: WriteTransaction, *, before: float) -> int:
    result = await txn.conn.execute(delete(t.brake_gates).where(t.brake_gates.c.at < before))
    return int(result.rowcount)
