"""The account page: who you are, and changing your password.

A password change signs out every other browser (their cookies carry the
old password's fingerprint); this browser gets a fresh cookie so it stays
signed in. The current password is checked by the Authenticator, so
guessing it here counts towards the same lock-out as a failed sign-in.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import MIN_PASSWORD_LENGTH
from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.errors import HomingError
from homing.http.web.access import require_form, require_viewer, set_session_cookie
from homing.http.web.rendering import render
from homing.http.web.site import Viewer, WebSite


def _page(
    site: WebSite,
    viewer: Viewer,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
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
    )


async def account(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    return _page(site, viewer)


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
    )
    principal = result.principal
    by_password = principal is not None and principal.credential == f"password:{viewer.user.name}"
    if result.outcome is not AuthOutcome.OK or not by_password:
        return _page(site, viewer, error="The current password is wrong.", status=400)
    try:
        await site.admin.set_password(viewer.user.name, new)
    except HomingError as exc:
        return _page(site, viewer, error=str(exc), status=400)
    user = await ctx.store.find_user(viewer.user.name)
    if user is None:
        return _page(site, viewer, error="Your account was removed meanwhile.", status=400)
    cookie, session = site.codec.issue(
        user_id=user.id, user=user.name, password_hash=user.password_hash, now=time.time()
    )
    fresh = Viewer(user=user, session=session, csrf=site.codec.csrf_token(session))
    response = _page(site, fresh, notice="Password changed. Other browsers are signed out.")
    set_session_cookie(site, request, response, cookie)
    return response
