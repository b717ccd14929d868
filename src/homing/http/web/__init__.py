"""The owners' web UI: server-rendered pages at ``/``, ``/login``, ``/hosts/…``, ``/audit``.

``routes`` builds the pages' shared parts once (the signing key from the
data directory, the templates, a management ``Admin``) and returns routes
that sit beside the update API's without overlapping its paths.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from homing.core.admin import Admin
from homing.core.journal import new_origin
from homing.http.context import HttpContext
from homing.http.web import account, audit, dashboard, host_page, signin
from homing.http.web.server_secret import load_or_create_secret
from homing.http.web.sessions import SessionCodec
from homing.http.web.site import STATIC_DIR, WebSite, build_templates

Page = Callable[[WebSite, Request], Awaitable[Response]]


def routes(ctx: HttpContext) -> list[BaseRoute]:
    site = WebSite(
        ctx=ctx,
        codec=SessionCodec(
            key=load_or_create_secret(ctx.settings.data_dir),
            lifetime_seconds=ctx.settings.web_session_seconds,
        ),
        admin=Admin(store=ctx.store, origin=new_origin("web")),
        templates=build_templates(),
    )

    def page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(site, request)

        return endpoint

    return [
        Route("/", page(dashboard.dashboard), methods=["GET"]),
        Route("/login", page(signin.login_form), methods=["GET"]),
        Route("/login", page(signin.login), methods=["POST"]),
        Route("/logout", page(signin.logout), methods=["POST"]),
        Route("/hosts/{fqdn}", page(host_page.host_page), methods=["GET"]),
        Route("/hosts/{fqdn}/tokens", page(host_page.create_token), methods=["POST"]),
        Route(
            "/hosts/{fqdn}/tokens/{token_id:int}/revoke",
            page(host_page.revoke_token),
            methods=["POST"],
        ),
        Route("/audit", page(audit.audit), methods=["GET"]),
        Route("/account", page(account.account), methods=["GET"]),
        Route("/account/password", page(account.change_password), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
