"""Fixtures shared by the whole suite: a store in a fresh data directory, the core on top."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from homing.core.admin import Admin
from homing.core.auth import Authenticator
from homing.core.brake import Brake, BrakeLimits
from homing.core.events import EventBus
from homing.core.journal import new_origin
from homing.core.refusals import Refusals
from homing.core.updates import UpdateLimits, UpdateService
from homing.core.writer import ChangeWriter
from homing.domain.records import ViewEvent
from homing.store.store import Store
from support import Core


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "homing.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
async def core(store: Store) -> AsyncIterator[Core]:
    bus = EventBus()
    events: list[ViewEvent] = []
    bus.subscribe(events.append)
    writer = ChangeWriter(store=store, bus=bus, origin=new_origin("test"), poll_interval=0.05)
    await writer.start()
    brake = Brake(limits=BrakeLimits(max_failures=5, window=60, lockout=60))
    refusals = Refusals(writer=writer)
    auth = Authenticator(store=store, brake=brake, refusals=refusals)
    updates = UpdateService(
        store=store,
        writer=writer,
        refusals=refusals,
        limits=UpdateLimits(max_hosts=20, nochg_limit=5, nochg_window=60),
    )
    yield Core(
        store=store,
        admin=Admin(store=store, origin=new_origin("admin")),
        writer=writer,
        auth=auth,
        updates=updates,
        events=events,
        brake=brake,
        refusals=refusals,
    )
    await writer.stop()
