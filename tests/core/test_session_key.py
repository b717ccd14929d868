"""The web session key lives in the database: made once, shared, taken from the old file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homing.core.session_key import renew_session_key, shared_session_key
from homing.core.write_path import DirectWrites
from homing.errors import ConfigError
from homing.store import schema as t
from homing.store.store import Store


async def test_made_once_and_the_same_for_every_node(store: Store) -> None:
    first = await shared_session_key(writes=DirectWrites(store), legacy=lambda: None)
    assert len(first) == 32
    # Another node on the same database, with a key file of its own: the database wins.
    other = await Store.open(store.database)
    try:
        taken = await shared_session_key(writes=DirectWrites(other), legacy=lambda: b"x" * 32)
        assert taken == first
    finally:
        await other.close()


async def test_the_old_key_file_is_kept_so_nobody_is_signed_out(store: Store) -> None:
    old = bytes(range(32))
    assert await shared_session_key(writes=DirectWrites(store), legacy=lambda: old) == old
    assert await shared_session_key(writes=DirectWrites(store), legacy=lambda: None) == old


async def test_a_new_key_replaces_the_old(store: Store) -> None:
    old = await shared_session_key(writes=DirectWrites(store))
    await renew_session_key(writes=DirectWrites(store))
    new = await shared_session_key(writes=DirectWrites(store), legacy=lambda: old)
    assert len(new) == 32 and new != old


async def test_a_damaged_key_in_the_database_is_a_clear_error(store: Store) -> None:
    async with store.write() as txn:
        await txn.conn.execute(
            t.server_secrets.insert().values(
                name="web-session", secret="not hex", created_at=datetime.now(UTC)
            )
        )
    with pytest.raises(ConfigError, match="web session key"):
        await shared_session_key(writes=DirectWrites(store), legacy=lambda: None)
