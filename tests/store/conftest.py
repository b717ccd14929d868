"""The store suite runs against both backends: every ``store`` here is SQLite, then PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from homing.store.location import Database
from homing.store.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """An empty database of each backend (PostgreSQL: a new database on the session's server)."""
    if request.param == "sqlite":
        return Database.sqlite(tmp_path / "homing.sqlite3")
    url: str = request.getfixturevalue("postgres_url")
    return Database.postgresql(url)


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    opened = await Store.open(database)
    yield opened
    await opened.close()
