"""Reads whose client has gone are cancelled, not computed to the end (issue 15).

uvicorn keeps running a handler after its client disconnects; a dashboard
over a million hosts then went on for minutes for nobody. This ASGI
middleware runs each GET or HEAD request beside a watcher that waits for
``http.disconnect``: if the client leaves before the answer is complete,
the handler is cancelled. The watcher relays the request's messages through
a queue of one, so the handler still reads its body at its own pace.

Writes are left to finish: POST, PUT, PATCH and DELETE, and the update
protocols' GETs (dyndns2, DuckDNS and the path forms are updates a router
sends as GET). A change is applied atomically by the core, but a handler
may make two calls (a failure counted, then the refusal recorded), and half
of a change the client gave up on is worse than a wasted answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

READS = frozenset({"GET", "HEAD"})
UPDATE_PATHS = ("/nic/update", "/v3/update", "/update")
"""GETs that change things: the update protocols' paths (and their path forms below them)."""


class CancelOnDisconnect:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in READS
            or str(scope.get("path", "")).startswith(UPDATE_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        relay: asyncio.Queue[Message] = asyncio.Queue(maxsize=1)

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                await relay.put(message)

        handler = asyncio.ensure_future(self.app(scope, relay.get, send))
        watcher = asyncio.ensure_future(watch())
        try:
            await asyncio.wait({handler, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not handler.done():
                log.debug("client left %s %s: request cancelled", scope["method"], scope["path"])
                handler.cancel()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        with contextlib.suppress(asyncio.CancelledError):
            await handler
