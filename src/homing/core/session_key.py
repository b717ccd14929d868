"""The web UI's session and invitation signing key, kept in the database (issue 9 item 4).

Sessions are signed cookies: every node that shares a database must sign and
check them with the same key, or a user signed in at one node is a stranger
at the next. The first start makes the key (or takes the data directory's
``web-session.key`` of an installation from before, so nobody is signed out)
inside the exclusive write transaction, so two nodes starting at once agree.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from homing.core.write_path import WritePath
from homing.errors import ConfigError
from homing.store.node_state import read_secret, store_secret
from homing.store.transaction import WriteTransaction

WEB_SESSION = "web-session"
KEY_BYTES = 32


async def shared_session_key(
    *, writes: WritePath, legacy: Callable[[], bytes | None] = lambda: None
) -> bytes:
    """The key in the database; made once from ``legacy()`` (the old key file, read only
    then) or at random."""

    async def take(txn: WriteTransaction) -> str:
        stored = await read_secret(txn, WEB_SESSION)
        if stored is None:
            stored = (legacy() or secrets.token_bytes(KEY_BYTES)).hex()
            await store_secret(txn, WEB_SESSION, stored, at=datetime.now(UTC))
        return stored

    return _key(await writes.transaction(take))


async def renew_session_key(*, writes: WritePath) -> None:
    """Replace the key: every session and invitation link signed with the old one stops working
    once the nodes restart (they hold the key they started with)."""
    new = secrets.token_bytes(KEY_BYTES).hex()

    async def replace(txn: WriteTransaction) -> None:
        await store_secret(txn, WEB_SESSION, new, at=datetime.now(UTC))

    await writes.transaction(replace)


def _key(stored: str) -> bytes:
    try:
        key = bytes.fromhex(stored)
    except ValueError:
        raise ConfigError("the web session key in the database is damaged") from None
    if len(key) < KEY_BYTES:
        raise ConfigError("the web session key in the database is too short")
    return key
