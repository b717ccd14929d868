"""``/health``: liveness plus a store round trip, for load balancers and monitoring."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from homing.errors import StoreError
from homing.http.context import HttpContext

log = logging.getLogger(__name__)


def routes(ctx: HttpContext) -> list[Route]:
    async def health(_request: Request) -> Response:
        try:
            zones = len(await ctx.store.zones())
        except (SQLAlchemyError, OSError, StoreError):
            log.exception("health check: store unavailable")
            return JSONResponse({"status": "error", "store": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "zones": zones})

    return [Route("/health", health)]
