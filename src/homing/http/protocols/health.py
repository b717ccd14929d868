"""``/health``: liveness, a store read and a committed write, for load balancers and monitoring.

A load balancer should stop sending updates to a node whose updates fail, so
a read is not enough: on a full disk, a read-only file system or a database
that is down, reads may still succeed while every update fails. The check
commits a one-row write through the writer (``ChangeWriter.probe``), at most
once per ``PROBE_SECONDS``; requests in between share the last result.

A probe that commits is not proof enough on a full disk: after a WAL
checkpoint SQLite writes the WAL from its start again, into disk blocks it
has already, so a small commit can succeed while an update that needs one
more block fails (``store/wal_checkpoints.py``). So a write that failed in
the store (``BatchCommitted.store_failed``) also makes the check fail, for
``FAILED_WRITE_SECONDS`` after the last such failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from homing.core.writer import BatchCommitted, ChangeWriter
from homing.errors import StoreError
from homing.http.context import HttpContext

log = logging.getLogger(__name__)

PROBE_SECONDS = 5.0
PROBE_TIMEOUT = 5.0
"""A write waiting longer than this for the lock counts as failing."""
FAILED_WRITE_SECONDS = 10.0
"""How long after a write failed in the store the check fails, whatever the probe says."""


class WriteCheck:
    """The writer's probe, run at most once per ``PROBE_SECONDS`` (see the module docstring)."""

    def __init__(
        self, writer: ChangeWriter, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._writer = writer
        self._clock = clock
        self._checked_at = float("-inf")
        self._ok = True
        self._running: asyncio.Task[bool] | None = None
        self._failed_at = float("-inf")
        """When a write last failed in the store (module docstring)."""
        writer.on_commit(self._noted)

    def _noted(self, batch: BatchCommitted) -> None:
        if batch.store_failed:
            self._failed_at = self._clock()

    async def writable(self) -> bool:
        if self._clock() - self._failed_at < FAILED_WRITE_SECONDS:
            return False
        if self._clock() - self._checked_at < PROBE_SECONDS:
            return self._ok
        if self._running is None:
            self._running = asyncio.create_task(self._probe())
        running = self._running
        ok = await asyncio.shield(running)
        if self._running is running:
            self._running = None
        return ok

    async def _probe(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self._writer.probe()
            ok = True
        except (StoreError, TimeoutError) as exc:
            if self._ok:
                log.error("health check: writes fail: %s", exc)
            ok = False
        if ok and not self._ok:
            log.warning("health check: writes succeed again")
        self._ok, self._checked_at = ok, self._clock()
        return ok


def routes(ctx: HttpContext) -> list[Route]:
    check = WriteCheck(ctx.api.writer)

    async def health(_request: Request) -> Response:
        try:
            zones = len(await ctx.store.zones())
        except (SQLAlchemyError, OSError, StoreError):
            log.exception("health check: store unavailable")
            return JSONResponse({"status": "error", "store": "unavailable"}, status_code=503)
        if not await check.writable():
            return JSONResponse(
                {"status": "error", "store": "writes fail", "zones": zones}, status_code=503
            )
        return JSONResponse({"status": "ok", "zones": zones})

    return [Route("/health", health)]
