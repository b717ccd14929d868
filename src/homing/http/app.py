"""The HTTP application: every front door's routes on one Starlette app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from homing.http import api, metrics, web
from homing.http.context import HttpContext
from homing.http.disconnect import CancelOnDisconnect
from homing.http.protocols import acmedns, checkip, duckdns, dyndns2, health, update_path


async def _not_found(_request: Request, _exc: Exception) -> Response:
    return PlainTextResponse("not found\n", status_code=404)


def build_http_app(ctx: HttpContext) -> Starlette:
    routes = [
        *dyndns2.routes(ctx),
        *update_path.routes(ctx),
        *duckdns.routes(ctx),
        *checkip.routes(ctx),
        *health.routes(ctx),
        *acmedns.routes(ctx),
        *api.routes(ctx),
        *metrics.routes(ctx),
        # Last: the web UI's paths never shadow a front door's.
        *web.routes(ctx),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={404: _not_found},
        middleware=[Middleware(CancelOnDisconnect)],
    )
