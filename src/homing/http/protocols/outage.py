"""While the database is down, an update front door answers its protocol's server error.

A credential lookup or a commit that meets a database that is down or
restarting raises ``StoreError`` (issue 9 item 5): dyndns2 clients then read
``911`` (retry later, per the protocol), DuckDNS clients ``KO`` — never an
HTTP 500, which several routers ignore or retry at once — and nothing was
acknowledged, so nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from homing.domain.outcomes import FrontDoor
from homing.errors import StoreError

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def refusing_while_store_down(
    handler: Handler, *, answer: Callable[[], Response], front_door: FrontDoor
) -> Handler:
    """``handler``, answering ``answer()`` when the database is unavailable."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except StoreError as exc:
            log.warning("%s request refused, the database is unavailable: %s", front_door, exc)
            return answer()

    return guarded
