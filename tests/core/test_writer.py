"""The writer's housekeeping: history older than the retention is pruned, the search index
filled, and an idle writer's poll of the journal."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from homing.core.admin import Admin
from homing.core.events import EventBus
from homing.core.host_edits import UpdateMeta
from homing.core.writer import BatchCommitted, ChangeWriter
from homing.domain.edits import HostEdit
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.domain.records import ViewEvent, ZoneSnapshot
from homing.errors import ConflictError, StoreError
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


async def test_new_host_names_reach_the_search_index_by_themselves(sqlite_store: Store) -> None:
    """Hosts written straight to the table (as ``zone import`` does) are indexed in batches
    by the running writer, with nothing else to do (SQLite's index: PostgreSQL keeps its
    trigram index itself)."""
    store = sqlite_store
    admin = Admin(store=store, origin="test")
    zone = await admin.add_zone("dyn.example")
    owner = await admin.add_user("alice", password=None)
    async with store.write() as txn:
        await txn.insert_many(
            "hosts",
            [
                {
                    "zone_id": zone.id,
                    "owner_id": owner.id,
                    "fqdn": f"cam{i}.dyn.example.",
                    "ttl": 60,
                    "wildcard": False,
                    "offline": False,
                    "created_at": datetime.now(UTC),
                    "nochg_count": 0,
                }
                for i in range(2500)
            ],
        )
    writer = ChangeWriter(store=store, bus=EventBus(), origin="test", poll_interval=0.05)
    await writer.start()
    try:
        async with asyncio.timeout(30):
            while await _indexed(store) < 2500:
                await asyncio.sleep(0.05)
    finally:
        await writer.stop()
    assert await _indexed(store) == 2500


async def _indexed(store: Store) -> int:
    async with store.read() as txn:
        return int((await txn.conn.execute(text("SELECT count(*) FROM host_names"))).scalar_one())


def _counted(calls: list[int], method: Callable[..., Any]) -> Callable[..., Any]:
    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return method(*args, **kwargs)

    return counting


async def test_an_idle_writer_reads_the_journal_only_after_a_commit(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus, published = EventBus(), list[ViewEvent]()
    bus.subscribe(published.append)
    writer = ChangeWriter(store=sqlite_store, bus=bus, origin="test", poll_interval=0.01)
    polls: list[int] = []
    reads: list[int] = []
    monkeypatch.setattr(sqlite_store, "data_version", _counted(polls, sqlite_store.data_version))
    await writer.start()
    try:
        async with asyncio.timeout(10):
            while len(polls) < 2:  # the first poll reads; from the second on, it is idle
                await asyncio.sleep(0.01)
        monkeypatch.setattr(sqlite_store, "read", _counted(reads, sqlite_store.read))
        seen = len(polls)
        async with asyncio.timeout(10):
            while len(polls) < seen + 20:
                await asyncio.sleep(0.01)
        assert reads == []
        # Another process's commit (a management command): the next poll reads it.
        other = await Store.open(tmp_path / "homing.sqlite3")
        try:
            await Admin(store=other, origin="cli").add_zone("other.example")
        finally:
            await other.close()
        async with asyncio.timeout(10):
            while not any(
                isinstance(event, ZoneSnapshot) and event.zone == "other.example."
                for event in published
            ):
                await asyncio.sleep(0.01)
        assert reads
    finally:
        await writer.stop()


async def test_after_its_own_updates_the_writer_stands_at_the_journals_newest_entry(
    store: Store,
) -> None:
    """The writer takes its position from the entries its batch appended (no max() query):
    it must be the journal's newest, so that a change another writer journals next is
    published, and nothing of its own is read again."""
    admin = Admin(store=store, origin="test")
    await admin.add_zone("dyn.example")
    await admin.add_user("alice", password=None)
    host, _ = await admin.add_host("home.dyn.example", owner="alice")
    bus, published = EventBus(), list[ViewEvent]()
    writer = ChangeWriter(store=store, bus=bus, origin="test", poll_interval=0.01)
    await writer.start()
    bus.subscribe(published.append)
    meta = UpdateMeta(credential="test", source=None, front_door=FrontDoor.DYNDNS2)
    try:
        for n in (1, 2):
            [result] = await writer.submit(
                [(host, HostEdit(ipv4=ipaddress.IPv4Address(f"192.0.2.{n}")))], meta
            )
            assert result.outcome is UpdateOutcome.GOOD
            async with store.read() as txn:
                assert writer._last_seen == await txn.last_journal_id()
        own = len(published)
        await Admin(store=store, origin="cli").add_zone("other.example")
        await writer.sync()
        assert [type(e) for e in published[own:]] == [ZoneSnapshot]
    finally:
        await writer.stop()


async def test_commit_listeners_hear_which_failures_were_the_stores(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/health`` fails for a while after the store failed a write, not after a refusal."""
    writer = ChangeWriter(store=store, bus=EventBus(), origin="test")
    heard: list[BatchCommitted] = []
    writer.on_commit(heard.append)
    await writer.start()
    try:

        async def refused(_txn: Any) -> None:
            raise ConflictError("that name is taken")

        with pytest.raises(ConflictError):
            await writer.transaction(refused)

        @asynccontextmanager
        async def disk_full(*, inline: bool = False) -> AsyncIterator[Any]:
            raise StoreError("database homing.sqlite3: database or disk is full")
            yield

        monkeypatch.setattr(store, "write", disk_full)
        with pytest.raises(StoreError):
            await writer.probe()
    finally:
        monkeypatch.undo()
        await writer.stop()
    assert [batch.store_failed for batch in heard if not batch.ok] == [False, True]
