"""The HTTP application: every front door's routes on one Starlette app."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
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


DIRECT_PATHS = frozenset({"/nic/update", "/v3/update"})
"""The dyndns2 paths a router's GET takes straight to its handler (``HomingApp``)."""


class HomingApp(Starlette):
    """Starlette, with the routers' own update taking a shorter way in.

    A GET of a dyndns2 path (a router's update, the request this provider
    answers most) goes to its route's handler without Starlette's middleware
    stack and route search: those cost a provider taking updates one by one
    a few percent of its CPU (bench/README.md). It keeps what that stack would
    give it: the HTTP 500 for an unexpected exception, and HSTS under TLS.
    Every other request, and these paths with another method, take the stack.
    """

    def __init__(self, *, direct: dict[str, ASGIApp], **options: Any) -> None:
        super().__init__(**options)
        self._direct = direct

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            direct = self._direct.get(scope["path"])
            if direct is not None:
                scope["app"] = self
                await direct(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


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
    direct: dict[str, ASGIApp] = {}
    for route in routes:
        if isinstance(route, Route) and route.path in DIRECT_PATHS:
            handler = route.app
            if ctx.settings.serves_tls:
                handler = StrictTransportSecurity(handler)
            direct.setdefault(route.path, ServerErrorMiddleware(handler))  # the first route wins
    app = HomingApp(
        direct=direct,
        routes=routes,
        exception_handlers={404: _not_found},
        middleware=[Middleware(CancelOnDisconnect)],
    )
    if ctx.settings.serves_tls:
        app.add_middleware(StrictTransportSecurity)
    return app
