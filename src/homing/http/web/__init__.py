"""The owners' web UI: server-rendered pages at ``/``, ``/login``, ``/hosts/…``, ``/audit``, …

``routes`` builds the pages' shared parts once (the signing key, the
templates, a management ``Admin``) and returns routes that sit beside the
update API's without overlapping its paths. Every page answers 503 while the
database is unavailable (issue 9).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from homing.core.admin import Admin
from homing.core.journal import new_origin
from homing.errors import StoreError
from homing.http.context import HttpContext
from homing.http.web import (
    account,
    admin_users,
    alerts_page,
    audit,
    dashboard,
    host_forms,
    host_page,
    record_forms,
    registration,
    server_page,
    signin,
    tokens_page,
)
from homing.http.web.invitations import InvitationCodec
from homing.http.web.once import ShownOnce
from homing.http.web.rendering import error_page
from homing.http.web.server_secret import load_or_create_secret
from homing.http.web.sessions import SessionCodec
from homing.http.web.site import STATIC_DIR, WebSite, build_templates
from homing.http.web.timeline import CELL, HEIGHT, WIDTH

log = logging.getLogger(__name__)

Page = Callable[[WebSite, Request], Awaitable[Response]]
STORE_DOWN = "The database is unavailable for a moment; nothing was changed. Try again shortly."
FAVICON_MAX_AGE = 86400


async def favicon(_request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever a page links: the brand mark, not a 404."""
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": f"public, max-age={FAVICON_MAX_AGE}"},
    )


def routes(ctx: HttpContext) -> list[BaseRoute]:
    key = ctx.session_key or load_or_create_secret(ctx.settings.data_dir)
    templates = build_templates()
    # The sign-in page links to the sign-up page only while sign-up is open.
    templates.globals["self_registration"] = ctx.settings.web_self_registration
    templates.globals.update(timeline_width=WIDTH, timeline_height=HEIGHT, timeline_cell=CELL)
    site = WebSite(
        ctx=ctx,
        codec=SessionCodec(key=key, lifetime_seconds=ctx.settings.web_session_seconds),
        invitations=InvitationCodec(key=key),
        admin=Admin(store=ctx.store, origin=new_origin("web"), writes=ctx.api.writer),
        templates=templates,
        shown=ShownOnce(store=ctx.store),
    )

    def page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(site, request)
            except StoreError as exc:
                # The database is down or restarting (issue 9): 503, never a 500.
                log.warning("page %s: the database is unavailable: %s", request.url.path, exc)
                return error_page(site, viewer=None, status=503, message=STORE_DOWN)

        return endpoint

    return [
        Route("/", page(dashboard.dashboard), methods=["GET"]),
        Route("/login", page(signin.login_form), methods=["GET"]),
        Route("/login", page(signin.login), methods=["POST"]),
        Route("/login/code", page(signin.login_code), methods=["POST"]),
        Route("/logout", page(signin.logout), methods=["POST"]),
        Route("/signup", page(registration.signup_form), methods=["GET"]),
        Route("/signup", page(registration.signup), methods=["POST"]),
        Route("/invite/{token}", page(registration.invitation_form), methods=["GET"]),
        Route("/invite/{token}", page(registration.accept_invitation), methods=["POST"]),
        Route("/hosts", page(host_forms.create_host), methods=["POST"]),
        # Before /hosts/{fqdn}: "new" is never a host (a host is below a zone's apex).
        Route("/hosts/new", page(host_forms.new_host_form), methods=["GET"]),
        Route("/hosts/{fqdn}", page(host_page.host_page), methods=["GET"]),
        Route("/hosts/{fqdn}/settings", page(host_forms.save_settings), methods=["POST"]),
        Route("/hosts/{fqdn}/ipv6", page(host_forms.save_ipv6), methods=["POST"]),
        Route("/hosts/{fqdn}/delete", page(host_forms.delete_form), methods=["GET"]),
        Route("/hosts/{fqdn}/delete", page(host_forms.delete_host), methods=["POST"]),
        Route("/hosts/{fqdn}/records/{rtype}", page(record_forms.edit_form), methods=["GET"]),
        Route("/hosts/{fqdn}/records/{rtype}", page(record_forms.save_records), methods=["POST"]),
        Route("/hosts/{fqdn}/tokens", page(host_page.create_token), methods=["POST"]),
        Route(
            "/hosts/{fqdn}/tokens/{token_id:int}/revoke",
            page(host_page.revoke_token),
            methods=["POST"],
        ),
        Route("/tokens", page(tokens_page.tokens_page), methods=["GET"]),
        Route("/tokens/{token_id:int}/revoke", page(tokens_page.revoke), methods=["POST"]),
        Route("/tokens/api", page(tokens_page.create_api_token), methods=["POST"]),
        Route(
            "/tokens/api/{token_id:int}/revoke",
            page(tokens_page.revoke_api_token),
            methods=["POST"],
        ),
        Route("/alerts", page(alerts_page.alerts_page), methods=["GET"]),
        Route("/alerts", page(alerts_page.save_alerts), methods=["POST"]),
        Route("/alerts/test", page(alerts_page.test_alert), methods=["POST"]),
        Route("/admin/server", page(server_page.server_page), methods=["GET"]),
        Route(
            "/admin/server/zones/{zone}/dnssec",
            page(server_page.change_signing),
            methods=["POST"],
        ),
        Route("/admin/users", page(admin_users.users_page), methods=["GET"]),
        Route("/admin/users", page(admin_users.create_user), methods=["POST"]),
        Route("/admin/users/{name}/invitation", page(admin_users.new_invitation), methods=["POST"]),
        Route("/admin/users/{name}/delete", page(admin_users.delete_form), methods=["GET"]),
        Route("/admin/users/{name}/delete", page(admin_users.delete_user), methods=["POST"]),
        Route("/audit", page(audit.audit), methods=["GET"]),
        Route("/account", page(account.account), methods=["GET"]),
        Route("/account/password", page(account.change_password), methods=["POST"]),
        Route("/account/totp/setup", page(account.totp_setup), methods=["POST"]),
        Route("/account/totp/enable", page(account.totp_enable), methods=["POST"]),
        Route("/account/totp/disable", page(account.totp_disable), methods=["POST"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
