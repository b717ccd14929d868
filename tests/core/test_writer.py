"""The writer's housekeeping: history older than the retention is pruned."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from homing.core.events import EventBus
from homing.core.writer import ChangeWriter
from homing.store.rows import NewHistory
from homing.store.store import Store


def _row(age: timedelta) -> NewHistory:
    return NewHistory(
        at=datetime.now(UTC) - age,
        host_id=None,
        fqdn="home.dyn.example.",
        outcome="badauth",
        front_door="dyndns2",
        detail=f"{age.days} days old",
    )


async def test_history_older_than_the_retention_is_pruned(store: Store) -> None:
    async with store.write() as txn:
        await txn.add_history([_row(timedelta(days=120)), _row(timedelta(days=10))])
    writer = ChangeWriter(store=store, bus=EventBus(), origin="test", history_days=90)
    await writer.start()
    try:
        async with asyncio.timeout(10):
            while len(await store.history()) != 1:
                await writer.sync()
    finally:
        await writer.stop()
    assert [r.detail for r in await store.history()] == ["10 days old"]
