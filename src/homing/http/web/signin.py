"""Sign-in, sign-out: the password checked by the same Authenticator as the update API.

Sharing it means sharing its brakes: failed sign-ins count per address and
per account with the update API's failures, slow down, then lock out, and
each refusal lands in the history (front door ``web``) for the audit page.
Only a password opens a session: an update token is refused here even
though the update API accepts it, so a leaked router token never gives
access to the account.

With the TOTP second factor on, a right password leads to a second form
that asks for a code. Between the two steps the browser holds no session,
only a "password ok" token: signed, valid for a few minutes, bound to this
browser's login nonce and to the password (its fingerprint), so it opens
nothing by itself and dies with a password change.
"""

from __future__ import annotations

import hmac
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
from homing.store.rows import UserRow

WRONG = "Wrong user name or password."
LOCKED = "Too many failed sign-ins from here or for this account. Wait a while and try again."
EXPIRED = "Your session has expired. Please sign in again."
WRONG_CODE = "Wrong or already used code. Enter the current code from your app."
CODE_TIMEOUT = "The sign-in took too long. Please enter your password again."
PASSWORD_OK = "password-ok"  # noqa: S105 - the purpose of a signed token, not a secret
PASSWORD_OK_SECONDS = 300


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
        name, password, source=ctx.caller(request), front_door=FrontDoor.WEB, two_step=True
    )
    if result.outcome is AuthOutcome.ABUSE:
        return _login_page(site, request, next_path=next_path, message=LOCKED, status=429)
    principal = result.principal
    user = await ctx.store.find_user(principal.user) if principal else None
    if principal is None or user is None or principal.credential != f"password:{user.name}":
        return _login_page(site, request, next_path=next_path, message=WRONG, status=401, user=name)
    if result.outcome is AuthOutcome.CODE_REQUIRED:
        assert nonce is not None  # the CSRF check above needs it
        fields = [str(user.id), user.name, site.codec.fingerprint(user.password_hash), nonce]
        pending = site.codec.seal(
            PASSWORD_OK, fields, expires=int(time.time()) + PASSWORD_OK_SECONDS
        )
        return _code_page(site, request, pending=pending, next_path=next_path)
    return _signed_in(site, request, user, next_path)


def _code_page(
    site: WebSite,
    request: Request,
    *,
    pending: str,
    next_path: str,
    message: str | None = None,
    status: int = 200,
) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    return render(
        site,
        "login_code.html",
        viewer=None,
        status=status,
        title="Sign in",
        csrf=site.codec.login_csrf_token(nonce),
        pending=pending,
        next_path=next_path,
        message=message,
    )


def _signed_in(site: WebSite, request: Request, user: UserRow, next_path: str) -> Response:
    cookie, _ = site.codec.issue(
        user_id=user.id, user=user.name, password_hash=user.password_hash, now=time.time()
    )
    response = redirect(next_path)
    set_session_cookie(site, request, response, cookie)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def _pending_user(site: WebSite, pending: str | None, nonce: str) -> UserRow | None:
    """The user whose password this browser gave a moment ago, if the token still fits."""
    fields = site.codec.unseal(PASSWORD_OK, pending, now=time.time())
    if fields is None or len(fields) != 4:
        return None
    user_id, name, fingerprint, bound_to = fields
    user = await site.ctx.store.find_user(name)
    if user is None or str(user.id) != user_id or not user.has_totp:
        return None
    same_password = hmac.compare_digest(
        site.codec.fingerprint(user.password_hash).encode(), fingerprint.encode()
    )
    same_browser = hmac.compare_digest(bound_to.encode(), nonce.encode())
    return user if same_password and same_browser else None


async def login_code(site: WebSite, request: Request) -> Response:
    """The second step: a TOTP code, counted against the same lock-out as passwords."""
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if form is None or not site.codec.check_login_csrf(nonce, form.get(CSRF_FIELD)):
        return error_page(site, viewer=None, status=403, message=CSRF_MESSAGE)
    assert nonce is not None
    next_path = safe_next(form.get("next"))
    pending = form.get("pending", "")
    user = await _pending_user(site, pending, nonce)
    if user is None:
        return _login_page(site, request, next_path=next_path, message=CODE_TIMEOUT, status=401)
    ctx = site.ctx
    result = await ctx.auth.one_time_code(
        user.name, form.get("code", ""), source=ctx.caller(request), front_door=FrontDoor.WEB
    )
    if result.outcome is AuthOutcome.ABUSE:
        return _login_page(site, request, next_path=next_path, message=LOCKED, status=429)
    if result.outcome is not AuthOutcome.OK:
        return _code_page(
            site, request, pending=pending, next_path=next_path, message=WRONG_CODE, status=401
        )
    return _signed_in(site, request, user, next_path)


async def logout(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
