"""Sign-in, sign-out: the password checked by the same Authenticator as the update API.

Sharing it means sharing its brakes: failed sign-ins count per address and
per account with the update API's failures, slow down, then lock out, and
each refusal lands in the history (front door ``web``) for the audit page.
Only a password opens a session: an update token is refused here even
though the update API accepts it, so a leaked router token never gives
access to the account.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.http.web.access import (
    CSRF_FIELD,
    CSRF_MESSAGE,
    LOGIN_COOKIE,
    LOGIN_COOKIE_SECONDS,
    SESSION_COOKIE,
    current_viewer,
    require_form,
    safe_next,
    set_cookie,
    set_session_cookie,
)
from homing.http.web.rendering import error_page, read_form, redirect, render
from homing.http.web.site import Viewer, WebSite

WRONG = "Wrong user name or password."
LOCKED = "Too many failed sign-ins from here or for this account. Wait a while and try again."
EXPIRED = "Your session has expired. Please sign in again."


def _login_page(
    site: WebSite,
    request: Request,
    *,
    next_path: str,
    message: str | None = None,
    status: int = 200,
    user: str = "",
) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or site.codec.new_login_nonce()
    response = render(
        site,
        "login.html",
        viewer=None,
        status=status,
        title="Sign in",
        csrf=site.codec.login_csrf_token(nonce),
        next_path=next_path,
        message=message,
        user=user,
    )
    set_cookie(site, request, response, LOGIN_COOKIE, nonce, max_age=LOGIN_COOKIE_SECONDS)
    return response


async def login_form(site: WebSite, request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if isinstance(await current_viewer(site, request), Viewer):
        return redirect(next_path)
    message = EXPIRED if request.query_params.get("expired") else None
    return _login_page(site, request, next_path=next_path, message=message)


async def login(site: WebSite, request: Request) -> Response:
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if form is None or not site.codec.check_login_csrf(nonce, form.get(CSRF_FIELD)):
        return error_page(site, viewer=None, status=403, message=CSRF_MESSAGE)
    name = form.get("user", "").strip()
    password = form.get("password", "")
    next_path = safe_next(form.get("next"))
    ctx = site.ctx
    result = await ctx.auth.basic(
        name, password, source=ctx.caller(request), front_door=FrontDoor.WEB
    )
    if result.outcome is AuthOutcome.ABUSE:
        return _login_page(site, request, next_path=next_path, message=LOCKED, status=429)
    principal = result.principal
    user = await ctx.store.find_user(principal.user) if principal else None
    if principal is None or user is None or principal.credential != f"password:{user.name}":
        return _login_page(site, request, next_path=next_path, message=WRONG, status=401, user=name)
    cookie, _ = site.codec.issue(
        user_id=user.id, user=user.name, password_hash=user.password_hash, now=time.time()
    )
    response = redirect(next_path)
    set_session_cookie(site, request, response, cookie)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
