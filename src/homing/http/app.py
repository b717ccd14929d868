"""The HTTP application: every front door's routes on one Starlette app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homing.http import api, metrics, web
from homing.http.context import HttpContext
from homing.http.disconnect import CancelOnDisconnect
from homing.http.protocols import acmedns, checkip, duckdns, dyndns2, health, update_path

HSTS = (b"strict-transport-security", b"max-age=31536000")
"""A year (RFC 6797). Not includeSubDomains: the zone's hosts below this name are not ours."""


class StrictTransportSecurity:
    """Adds HSTS to every answer when Homing serves TLS itself (a proxy sets its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), HSTS]
            await send(message)

        await self._app(scope, receive, send_with_hsts)


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
    app = Starlette(
        routes=routes,
        exception_handlers={404: _not_found},
        middleware=[Middleware(CancelOnDisconnect)],
    )
    if ctx.settings.serves_tls:
        app.add_middleware(StrictTransportSecurity)
    return app
