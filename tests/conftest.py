"""Fixtures shared by the whole suite: a store in a fresh data directory, the core on top.

``postgres_server`` is one real PostgreSQL per session (tests/pgserver.py), started
only when a test asks for a PostgreSQL database (``postgres_url``). tests/store runs
on both backends; ``HOMING_TEST_DATABASE=postgresql`` puts every other test's store
on PostgreSQL too (slower: a database and its migrations per test).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
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
from homing.store.location import Database
from homing.store.store import Store
from pgserver import PostgresServer
from support import Core


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty PostgreSQL database for this test alone."""
    return postgres_server.new_database()


@pytest.fixture
async def store(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    where: Path | Database = tmp_path / "homing.sqlite3"
    if os.environ.get("HOMING_TEST_DATABASE") == "postgresql":
        where = Database.postgresql(request.getfixturevalue("postgres_url"))
    opened = await Store.open(where)
    yield opened
    await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on SQLite whatever ``HOMING_TEST_DATABASE`` says, for what only SQLite has
    (its file lock, ``PRAGMA data_version``)."""
    opened = await Store.open(tmp_path / "homing.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def writer_poll_seconds() -> float:
    """How often the core's writer reads the journal when idle; a module overrides it to
    prove that its changes reach the view by the writer's own transactions."""
    return 0.05


@pytest.fixture
async def core(store: Store, writer_poll_seconds: float) -> AsyncIterator[Core]:
    bus = EventBus()
    events: list[ViewEvent] = []
    bus.subscribe(events.append)
    writer = ChangeWriter(
        store=store, bus=bus, origin=new_origin("test"), poll_interval=writer_poll_seconds
    )
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
