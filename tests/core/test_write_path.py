"""One write path (issue 9 item 2): management writes run in the writer's transaction.

Their changes are in the DNS view when the call returns, without ``sync()``,
with one journal entry and one serial bump each; a refused one leaves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass

import dns.name
import pytest

from homing.core.admin import Admin
from homing.core.events import EventBus
from homing.core.host_edits import UpdateMeta
from homing.core.writer import ChangeWriter
from homing.domain.edits import HostEdit
from homing.domain.outcomes import FrontDoor
from homing.errors import ConflictError
from homing.nameserver.view import ZoneView
from homing.store.rows import JournalEntry
from homing.store.store import Store

ZONE = "dyn.example."
HOME = dns.name.from_text("home.dyn.example.")


@dataclass
class Served:
    admin: Admin
    writer: ChangeWriter
    view: ZoneView


@pytest.fixture
async def served(store: Store) -> AsyncIterator[Served]:
    bus, view = EventBus(), ZoneView()
    bus.subscribe(view.apply)
    # A poll slower than any test: only the writer's own transactions can move the view.
    writer = ChangeWriter(store=store, bus=bus, origin="serve-test", poll_interval=3600)
    await writer.start()
    admin = Admin(store=store, origin="api-test", writes=writer)
    await admin.add_zone(ZONE)
    await admin.add_user("alice", password=None)
    yield Served(admin=admin, writer=writer, view=view)
    await writer.stop()


async def _journal(store: Store) -> list[JournalEntry]:
    async with store.read() as txn:
        return await txn.journal_after(0)


async def test_a_new_zone_is_served_when_the_call_returns(served: Served, store: Store) -> None:
    before = len(await _journal(store))
    await served.admin.add_zone("other.example")
    assert served.view.serial("other.example.") is not None
    assert len(await _journal(store)) == before + 1
    await served.admin.remove_zone("other.example")
    assert served.view.serial("other.example.") is None
    # The zone's own entries went with it (a cascade); the removal is journaled once.
    after = await _journal(store)
    assert len(after) == before + 1
    assert (after[-1].zone, after[-1].kind) == ("other.example.", "removed")


async def test_removing_a_host_leaves_dns_with_one_serial_bump(
    served: Served, store: Store
) -> None:
    [(host, _token)] = await served.admin.add_hosts(["home.dyn.example"], owner="alice")
    meta = UpdateMeta(credential="test", source="127.0.0.1", front_door=FrontDoor.API)
    await served.writer.submit([(host, HostEdit(ipv4=ipaddress.IPv4Address("192.0.2.1")))], meta)
    zone = served.view.find_zone(HOME)
    assert zone is not None and HOME in zone.nodes
    serial, entries = served.view.serial(ZONE), len(await _journal(store))
    await served.admin.remove_host("home.dyn.example")
    zone = served.view.find_zone(HOME)
    assert zone is not None and HOME not in zone.nodes
    assert served.view.serial(ZONE) == (serial or 0) + 1
    after = await _journal(store)
    assert len(after) == entries + 1
    found = await store.find_zone(ZONE)
    assert found is not None and found.serial == after[-1].serial == served.view.serial(ZONE)


async def test_a_refused_management_write_leaves_nothing(served: Served, store: Store) -> None:
    entries = len(await _journal(store))
    with pytest.raises(ConflictError):
        await served.admin.add_zone(ZONE)
    assert len(await _journal(store)) == entries
    # The writer goes on: the next operation commits.
    await served.admin.add_user("bob", password=None)
    assert await store.find_user("bob") is not None
