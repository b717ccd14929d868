"""Every update token of the signed-in user on one page, to find and revoke a leaked one fast.

A host page lists that host's tokens; this page answers "which of my
tokens are still alive, and where?" across all hosts, including account
tokens (made with ``homing token create --user``) that may update every host of
the account. Only the viewer's own tokens are listed or revocable, admins
included: another user's token id answers 404 like one that does not exist.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from homing.http.web.access import require_form, require_viewer
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.store.rows import TokenRow


async def own_tokens(site: WebSite, viewer: Viewer) -> list[TokenRow]:
    """Active tokens first, each group newest first."""
    tokens = [t for t in await site.ctx.store.tokens() if t.user_id == viewer.user.id]
    return sorted(tokens, key=lambda t: (t.revoked_at is not None, -t.id))


async def tokens_page(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    tokens = await own_tokens(site, viewer)
    return render(
        site,
        "tokens.html",
        viewer=viewer,
        section="tokens",
        title="Update tokens",
        tokens=tokens,
        active=sum(1 for t in tokens if t.revoked_at is None),
        notice="Token revoked." if request.query_params.get("revoked") else None,
    )


async def revoke(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    token_id = request.path_params["token_id"]
    found = next((t for t in await own_tokens(site, viewer) if t.id == token_id), None)
    if found is None:
        return error_page(site, viewer=viewer, status=404, message="You have no such token.")
    if found.revoked_at is None:
        await site.admin.revoke_token(token_id)
    return redirect("/tokens?revoked=1")
