"""The account page: who you are, changing your password, the TOTP second factor.

A password change signs out every other browser (their cookies carry the
old password's fingerprint); this browser gets a fresh cookie so it stays
signed in. The current password is checked by the Authenticator, so
guessing it here counts towards the same lock-out as a failed sign-in.

Turning on two-factor sign-in shows a new secret (QR code, URI, text) and
asks for a code from the app before storing it, so nobody locks themselves
out with a secret their app never got. The secret waits in a signed form
field bound to this session, not in the database. Turning it off needs a
current code, checked (and counted) like a sign-in's.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import MIN_PASSWORD_LENGTH
from homing.core.totp import new_secret, provisioning_uri, qr_svg
from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.errors import HomingError, StoreError
from homing.http.web.access import require_form, require_viewer, set_session_cookie
from homing.http.web.rendering import redirect, render
from homing.http.web.site import Viewer, WebSite


def _page(
    site: WebSite,
    viewer: Viewer,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
    setup: dict[str, str] | None = None,
) -> Response:
    return render(
        site,
        "account.html",
        viewer=viewer,
        status=status,
        section="account",
        title="Account",
        notice=notice,
        error=error,
        min_length=MIN_PASSWORD_LENGTH,
        session_hours=round(site.codec.lifetime_seconds / 3600, 1),
        setup=setup,
    )


NOTICES = {
    "password": "Password changed. Other browsers are signed out.",
    "totp-on": "Two-factor sign-in is on.",
    "totp-off": "Two-factor sign-in is off.",
}


async def account(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    shown = await site.shown.taken(request, viewer.user.id)
    secret = shown.get("totp_secret")
    setup = _setup(site, viewer, secret) if isinstance(secret, str) else None
    notice = NOTICES.get(request.query_params.get("done", ""))
    return _page(site, viewer, notice=notice, setup=setup)


async def change_password(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    new = form.get("new_password", "")
    if new != form.get("repeat_password"):
        return _page(site, viewer, error="The new passwords differ.", status=400)
    ctx = site.ctx
    result = await ctx.auth.basic(
        viewer.user.name,
        form.get("current_password", ""),
        source=ctx.caller(request),
        front_door=FrontDoor.WEB,
        two_step=True,
    )
    principal = result.principal
    by_password = principal is not None and principal.credential == f"password:{viewer.user.name}"
    # This session passed the second factor at sign-in; the password is what is asked here.
    if result.outcome not in {AuthOutcome.OK, AuthOutcome.CODE_REQUIRED} or not by_password:
        return _page(site, viewer, error="The current password is wrong.", status=400)
    try:
        await site.admin.set_password(viewer.user.name, new)
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return _page(site, viewer, error=str(exc), status=400)
    user = await ctx.store.find_user(viewer.user.name)
    if user is None:
        return _page(site, viewer, error="Your account was removed meanwhile.", status=400)
    cookie, _session = site.codec.issue(
        user_id=user.id, user=user.name, password_hash=user.password_hash, now=time.time()
    )
    response = redirect("/account?done=password")
    set_session_cookie(site, request, response, cookie)
    return response


TOTP_SETUP = "totp-setup"
TOTP_SETUP_SECONDS = 900


def _setup(site: WebSite, viewer: Viewer, secret: str) -> dict[str, str]:
    uri = provisioning_uri(secret, user=viewer.user.name)
    pending = site.codec.seal(
        TOTP_SETUP,
        [str(viewer.user.id), viewer.session.nonce, secret],
        expires=int(time.time()) + TOTP_SETUP_SECONDS,
    )
    return {"secret": secret, "uri": uri, "qr": qr_svg(uri), "pending": pending}


async def totp_setup(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    if viewer.user.has_totp:
        return _page(site, viewer, error="Two-factor sign-in is already on.", status=409)
    shown = {"totp_secret": new_secret()}
    return redirect(
        await site.shown.location("/account", viewer.user.id, shown, anchor="two-factor")
    )


async def totp_enable(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    fields = site.codec.unseal(TOTP_SETUP, form.get("pending"), now=time.time())
    if (
        fields is None
        or len(fields) != 3
        or fields[:2] != [str(viewer.user.id), viewer.session.nonce]
    ):
        return _page(
            site, viewer, error="The set-up took too long. Please start again.", status=400
        )
    secret = fields[2]
    try:
        await site.ctx.auth.two_factor.enable(viewer.user, secret=secret, code=form.get("code", ""))
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return _page(site, viewer, error=str(exc), status=400, setup=_setup(site, viewer, secret))
    return redirect("/account?done=totp-on#two-factor")


async def totp_disable(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    ctx = site.ctx
    result = await ctx.auth.one_time_code(
        viewer.user.name,
        form.get("code", ""),
        source=ctx.caller(request),
        front_door=FrontDoor.WEB,
    )
    if result.outcome is AuthOutcome.ABUSE:
        return _page(site, viewer, error="Too many failed attempts. Wait a while.", status=429)
    if result.outcome is not AuthOutcome.OK:
        return _page(site, viewer, error="Wrong or already used code.", status=400)
    await ctx.auth.two_factor.turn_off(viewer.user.name)
    return redirect("/account?done=totp-off#two-factor")
