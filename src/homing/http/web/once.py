"""What a page shows once after a form: POST-redirect-GET with a new token in it (issue 15).

A form that succeeds answers 303 See Other, so a reload repeats the GET and
never the POST. When the answer has something to show exactly once (a new
update token, an API token, an invitation link, a TOTP secret, the results
of a test alert), the POST leaves it for the GET under a random key bound to
the user, the redirect names the key (``?shown=``), and the GET takes it
out: a reload, another user, or a key older than ``LIFETIME`` finds nothing.

Where it waits: in the database (``store/shown_once.py``), because behind
a load balancer the redirect's GET may reach another node than the POST
did, and the database is what every node shares (process memory, the
first design, lost the token on any other node). Not in the session
cookie: a cookie is a copy the browser keeps and sends back, so "once"
could not be enforced (an old copy shows it again), the secret would sit in
the browser's cookie store, and every node would need the same cookie key.
The row holds the values sealed (AES-GCM) under the very key the URL
carries, and only that key's hash names the row: the database, its WAL
and its backups never hold a readable secret, and the URL in the
browser's history is worthless once taken or after ``LIFETIME``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.requests import Request

from homing.store.shown_once import keep_shown, take_shown
from homing.store.store import Store

log = logging.getLogger(__name__)

LIFETIME = timedelta(minutes=5)
KEY_BYTES = 32
NONCE_BYTES = 12
MAX_KEY_LENGTH = 64
"""A URL-safe 32-byte key is 43 characters; anything longer is not one of ours."""


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def _associated(user_id: int) -> bytes:
    """Sealed for one user: a row moved to another user would not open."""
    return f"homing-shown-once:{user_id}".encode()


def seal(key: bytes, user_id: int, values: Mapping[str, object]) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(dict(values)).encode()
    sealed = nonce + AESGCM(key).encrypt(nonce, plain, _associated(user_id))
    return base64.b64encode(sealed).decode()


def unseal(key: bytes, user_id: int, sealed: str) -> dict[str, object]:
    raw = base64.b64decode(sealed)
    plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(user_id))
    values = json.loads(plain)
    return values if isinstance(values, dict) else {}


@dataclass(frozen=True)
class ShownOnce:
    """Values waiting for their one GET, in the shared database (see the module)."""

    store: Store
    lifetime: timedelta = LIFETIME

    async def put(self, user_id: int, values: Mapping[str, object]) -> str:
        """Leave ``values`` (JSON: strings, numbers, lists, dicts) and return the URL's key."""
        key = secrets.token_bytes(KEY_BYTES)
        now = datetime.now(UTC)
        await keep_shown(
            self.store,
            key_id=_key_id(key),
            user_id=user_id,
            sealed=seal(key, user_id, values),
            expires_at=now + self.lifetime,
            now=now,
        )
        return base64.urlsafe_b64encode(key).decode().rstrip("=")

    async def take(self, user_id: int, text: str | None) -> dict[str, object]:
        """The values left under the key ``text`` for this user, once; else nothing."""
        if not text or len(text) > MAX_KEY_LENGTH:
            return {}
        try:
            key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return {}
        if len(key) != KEY_BYTES:
            return {}
        now = datetime.now(UTC)
        sealed = await take_shown(self.store, key_id=_key_id(key), user_id=user_id, now=now)
        if sealed is None:
            return {}
        try:
            return unseal(key, user_id, sealed)
        except (InvalidTag, binascii.Error, ValueError):
            log.warning("a shown-once value did not open with its key; nothing shown")
            return {}

    async def location(
        self, path: str, user_id: int, values: Mapping[str, object], *, anchor: str = ""
    ) -> str:
        """``path?shown=KEY#anchor`` with ``values`` left for the GET."""
        query = urlencode({"shown": await self.put(user_id, values)})
        return f"{path}?{query}" + (f"#{anchor}" if anchor else "")

    async def taken(self, request: Request, user_id: int) -> dict[str, object]:
        return await self.take(user_id, request.query_params.get("shown"))
