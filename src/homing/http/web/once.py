"""What a page shows once after a form: POST-redirect-GET with a new token in it (issue 15).

A form that succeeds answers 303 See Other, so a reload repeats the GET and
never the POST. When the answer has something to show exactly once (a new
update token, an API token, an invitation link, a TOTP secret, the results
of a test alert), the POST leaves it here under a random key bound to the
user, the redirect names the key (``?shown=``), and the GET takes it out:
a reload, another user, or a key older than ``LIFETIME`` finds nothing.
Kept in memory, never in a cookie or a URL, so the secret is written
nowhere; a restart between the POST and its GET loses it (make a new one).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request

LIFETIME = 300.0
CAPACITY = 2000
KEY_BYTES = 16


@dataclass(frozen=True, slots=True)
class _Entry:
    user_id: int
    values: dict[str, object]
    expires: float


@dataclass
class ShownOnce:
    """Values waiting for their one GET, oldest evicted first beyond ``capacity``."""

    lifetime: float = LIFETIME
    capacity: int = CAPACITY
    _entries: OrderedDict[str, _Entry] = field(default_factory=OrderedDict)

    def put(self, user_id: int, values: Mapping[str, object]) -> str:
        now = time.monotonic()
        while self._entries and (
            len(self._entries) >= self.capacity or next(iter(self._entries.values())).expires < now
        ):
            self._entries.popitem(last=False)
        key = secrets.token_urlsafe(KEY_BYTES)
        self._entries[key] = _Entry(user_id, dict(values), now + self.lifetime)
        return key

    def take(self, user_id: int, key: str | None) -> dict[str, object]:
        """The values left under ``key`` for this user, once; else nothing."""
        entry = self._entries.get(key or "")
        if entry is None or entry.user_id != user_id:
            return {}
        del self._entries[key or ""]
        return entry.values if entry.expires >= time.monotonic() else {}

    def location(
        self, path: str, user_id: int, values: Mapping[str, object], *, anchor: str = ""
    ) -> str:
        """``path?shown=KEY#anchor`` with ``values`` left for the GET."""
        query = urlencode({"shown": self.put(user_id, values)})
        return f"{path}?{query}" + (f"#{anchor}" if anchor else "")

    def taken(self, request: Request, user_id: int) -> dict[str, object]:
        return self.take(user_id, request.query_params.get("shown"))
