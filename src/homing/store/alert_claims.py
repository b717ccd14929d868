"""Which node sends an alert: one claim row per alert in the shared database (issue 9).

Every node follows the same history and decides the same alerts, so with several
nodes on one PostgreSQL database each alert would go out once per node. Before
posting an alert a node claims it: an insert that only one transaction can make
(``ON CONFLICT DO NOTHING``), and only the node whose insert took sends. A
failure summary covers a run of rows that each node cuts differently, so it is
claimed per user instead, by moving the user's "told through" history id forward
(compare and set): a node whose move fails learns how far the others told and
keeps only the rows after that for its next summary. Claims are forgotten with the
history they name (``prune_alert_claims``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from homing.store import schema as t
from homing.store.location import Backend
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

CLAIM_KEEP = timedelta(days=7)
"""A claim outlives any follower's lag behind the history; pruned sooner with the history."""
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _insert_new(store: Store, rows: list[dict[str, Any]]) -> postgresql.Insert | sqlite.Insert:
    """INSERT of the claims not made yet (the others are left as they are)."""
    if store.backend is Backend.POSTGRESQL:
        return postgresql.insert(t.alert_claims).values(rows).on_conflict_do_nothing()
    return sqlite.insert(t.alert_claims).values(rows).on_conflict_do_nothing()


async def claim_alerts(store: Store, keys: Sequence[str], *, at: datetime) -> set[str]:
    """Claim the alerts named ``keys``; returns those this call claimed (the rest are taken)."""
    if not keys:
        return set()
    rows = [{"key": key, "claimed_at": at} for key in dict.fromkeys(keys)]
    statement = _insert_new(store, rows).returning(t.alert_claims.c.key)
    async with store.write() as txn:
        txn.touched.add("alert_claims")
        return set((await txn.conn.execute(statement)).scalars())


async def claim_failures(
    store: Store, user_id: int, *, first_id: int, through_id: int, at: datetime, quiet: timedelta
) -> int | None:
    """Claim the summary of a user's refused attempts ``first_id`` to ``through_id``.

    It is this node's to send when no node told any of these rows yet and the last
    summary of the user is ``quiet`` old: returns None. Otherwise returns the history
    id up to which the user was told (the rows after it are still to tell).
    """
    key = f"failures:{user_id}"
    c = t.alert_claims.c
    async with store.write() as txn:
        txn.touched.add("alert_claims")
        await txn.conn.execute(
            _insert_new(store, [{"key": key, "through_id": 0, "claimed_at": _NEVER}])
        )
        moved = await txn.conn.execute(
            update(t.alert_claims)
            .where(c.key == key, c.through_id < first_id, c.claimed_at <= at - quiet)
            .values(through_id=through_id, claimed_at=at)
        )
        if moved.rowcount == 1:
            return None
        told = (await txn.conn.execute(select(c.through_id).where(c.key == key))).scalar()
        return int(told or 0)


async def prune_alert_claims(txn: WriteTransaction, *, before: datetime) -> int:
    """Forget the claims made before ``before`` (the writer's prune, with the history)."""
    result = await txn.conn.execute(
        delete(t.alert_claims).where(t.alert_claims.c.claimed_at < before)
    )
    return int(result.rowcount)
