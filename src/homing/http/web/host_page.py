"""One host: its records, its update tokens (create, revoke) and client configuration.

A new token is shown exactly once, in the answer to the POST that made it,
together with every configuration snippet filled in with it; afterwards the
page shows only its prefix (the store keeps a hash). Hosts the viewer may
not see are answered 404, the same as hosts that do not exist, so names of
other people's hosts cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import MAX_NOTES_LENGTH, MAX_TTL
from homing.domain.names import normalize_name
from homing.errors import HomingError, InputError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.address_timeline import (
    CHANGED,
    LANE,
    MAX_ROWS,
    SHOWN,
    address_timeline,
    week_start,
)
from homing.http.web.address_timeline import LABEL as PICTURE_LABEL
from homing.http.web.address_timeline import WIDTH as PICTURE_WIDTH
from homing.http.web.dashboard import host_cards
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.http.web.snippets import Server, dns_server, snippets
from homing.store.pages import HostFilter
from homing.store.rows import HostRow
from homing.store.store import HistoryFilter

MAX_LABEL_LENGTH = 100
MAX_LEADERS = 100
NOT_FOUND = "There is no such host, or it is not yours."
NOTICES = {
    "revoked": "Token revoked.",
    "saved": "TTL and notes saved.",
    "records": "Records saved.",
    "ipv6": "IPv6 settings saved. A host that follows another has its addresses now.",
}


def public_server(site: WebSite, request: Request) -> Server:
    """The setting ``public_url`` if given, else the URL this request came to."""
    return Server.from_url(site.ctx.settings.public_url or str(request.base_url))


async def find_visible_host(site: WebSite, viewer: Viewer, fqdn: str) -> HostRow | None:
    try:
        name = normalize_name(fqdn)
    except InputError:
        return None
    host = await site.ctx.store.find_host(name)
    if host is None or not viewer.may_see(host):
        return None
    return host


async def host_view(
    site: WebSite,
    request: Request,
    viewer: Viewer,
    host: HostRow,
    *,
    new_token: str | None = None,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    store = site.ctx.store
    now = datetime.now(UTC)
    server = public_server(site, request)
    [card] = await host_cards(site, [host], now=now)
    week = HistoryFilter(host_ids=(host.id,), since=week_start(now), outcomes=SHOWN)
    earlier = HistoryFilter(host_ids=(host.id,), until=week_start(now), outcomes=(CHANGED,))
    before = await store.history_page(earlier, limit=1)
    picture = address_timeline(
        await store.history_page(week, limit=MAX_ROWS),
        before=before[0] if before else None,
        now=now,
    )
    followers = await site.admin.followers(host.fqdn)
    # Candidates to follow: a page of the owner's hosts, never all of them (issue 15); any
    # other one is typed by name.
    owned = await store.host_page(HostFilter(owner_id=host.owner_id), limit=MAX_LEADERS)
    leaders = [h for h in owned.items if h.id != host.id and h.follows_id is None and not followers]
    return render(
        site,
        "host.html",
        viewer=viewer,
        status=status,
        section="dashboard",
        title=card.name,
        card=card,
        now=now,
        records=await store.host_records(host.id),
        history=await store.history(host_id=host.id, limit=10),
        tokens=await store.tokens(host_id=host.id),
        editable_types=await site.ctx.api.records.allowed_types(host),
        max_ttl=MAX_TTL,
        max_notes=MAX_NOTES_LENGTH,
        new_token=new_token,
        snippets=snippets(
            server=server,
            fqdn=card.name,
            user=host.owner,
            token=new_token,
            dns=dns_server(server, site.ctx.dns_addresses),
        ),
        notice=notice,
        error=error,
        followers=followers,
        leaders=[] if followers else leaders,
        picture=picture,
        picture_width=PICTURE_WIDTH,
        picture_label=PICTURE_LABEL,
        picture_lane=LANE,
    )


async def host_page(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    host = await find_visible_host(site, viewer, request.path_params["fqdn"])
    if host is None:
        return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)
    shown = await site.shown.taken(request, viewer.user.id)
    notice = next((text for key, text in NOTICES.items() if key in request.query_params), None)
    token = shown.get("token")
    return await host_view(
        site,
        request,
        viewer,
        host,
        new_token=token if isinstance(token, str) else None,
        notice=str(shown.get("notice", "")) or notice,
    )


async def create_token(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    host = await find_visible_host(site, viewer, request.path_params["fqdn"])
    if host is None:
        return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)
    label = form.get("label", "").strip()[:MAX_LABEL_LENGTH]
    try:
        _, token = await site.admin.create_token(host=host.fqdn, label=label)
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await host_view(site, request, viewer, host, error=str(exc), status=400)
    path = f"/hosts/{host.fqdn.rstrip('.')}"
    return redirect(await site.shown.location(path, viewer.user.id, {"token": token}))


async def revoke_token(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    host = await find_visible_host(site, viewer, request.path_params["fqdn"])
    token_id = request.path_params["token_id"]
    if host is None:
        return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)
    tokens = {t.id: t for t in await site.ctx.store.tokens(host_id=host.id)}
    if token_id not in tokens:
        return error_page(site, viewer=viewer, status=404, message="This host has no such token.")
    if tokens[token_id].revoked_at is None:
        await site.admin.revoke_token(token_id)
    return redirect(f"/hosts/{host.fqdn.rstrip('.')}?revoked=1")
