"""The signed-in user's tokens on one page: update tokens to find and revoke a leaked one
fast, and API tokens for scripts, created and revoked here (issue 15).

A host page lists that host's update tokens; this page answers "which of my
tokens are still alive, and where?" across all hosts, including account
tokens (made with ``homing token create --user``) that may update every host
of the account, a page at a time (``?after=``). API tokens are the REST
API's (``/api/v1/docs`` asks for one): made here with the viewer's own
rights, optionally read-only and expiring; the secret is shown once, after
the redirect (``once``). Only the viewer's own tokens are listed or
revocable, admins included: another user's token id answers 404 like one
that does not exist.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from homing.core.api_tokens import MAX_TOKEN_NAME, TokenScope, parse_lifetime
from homing.errors import HomingError, NotFoundError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite

PAGE_SIZE = 100
LIFETIMES = {"": "never", "30d": "in 30 days", "90d": "in 90 days", "365d": "in a year"}
NOTICES = {"revoked": "Token revoked.", "api-revoked": "API token revoked."}


def _after(request: Request) -> int | None:
    text = request.query_params.get("after", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


async def _page(
    site: WebSite,
    request: Request,
    viewer: Viewer,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    store = site.ctx.store
    after = _after(request)
    page = await store.token_page(user_id=viewer.user.id, after=after, limit=PAGE_SIZE)
    api_tokens = await store.api_token_page(user_id=viewer.user.id, after=None, limit=PAGE_SIZE)
    shown = await site.shown.taken(request, viewer.user.id)
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), None)
    next_page = None
    if page.more and page.items:
        next_page = "/tokens?" + urlencode({"after": page.items[-1].id})
    return render(
        site,
        "tokens.html",
        viewer=viewer,
        status=status,
        section="tokens",
        title="Tokens",
        tokens=page.items,
        active=await store.count_active_tokens(user_id=viewer.user.id),
        api_tokens=api_tokens.items,
        new_api_token=shown.get("api_token"),
        lifetimes=LIFETIMES,
        max_name=MAX_TOKEN_NAME,
        form=form or {},
        first_page="/tokens" if after is not None else None,
        next_page=next_page,
        notice=notice,
        error=error,
    )


async def tokens_page(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(site, request, viewer)


async def revoke(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    token_id = request.path_params["token_id"]
    found = await site.ctx.store.find_token_by_id(token_id)
    if found is None or found.user_id != viewer.user.id:
        return error_page(site, viewer=viewer, status=404, message="You have no such token.")
    if found.revoked_at is None:
        await site.admin.revoke_token(token_id)
    return redirect("/tokens?revoked=1")


async def create_api_token(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    expires = form.get("expires_in", "")
    try:
        lifetime: timedelta | None = parse_lifetime(expires) if expires else None
        _, secret = await site.ctx.api.tokens.create(
            user=viewer.user.name,
            name=form.get("name", ""),
            lifetime=lifetime,
            scope=TokenScope(read_only=form.get("read_only") == "1"),
        )
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await _page(site, request, viewer, error=str(exc), form=form, status=400)
    shown = {"api_token": secret}
    return redirect(
        await site.shown.location("/tokens", viewer.user.id, shown, anchor="api-tokens")
    )


async def revoke_api_token(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    try:
        await site.ctx.api.tokens.revoke(request.path_params["token_id"], user_id=viewer.user.id)
    except NotFoundError:
        return error_page(site, viewer=viewer, status=404, message="You have no such API token.")
    return redirect("/tokens?api-revoked=1#api-tokens")
