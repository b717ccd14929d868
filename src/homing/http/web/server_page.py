"""The operator's view (administrators): this server's zones with their secondaries and TSIG
keys, its accounts and hosts in numbers, and charts of the last 24 hours (issue 15).

Everything here is a bounded read: the zones, keys and secondaries are an
operator's own short lists, the accounts and hosts are counts on indexes,
and the charts come from the provider's memory (``homing.activity``), not
from the history table. Secrets (TSIG keys) are never shown; the DS record
to give the registrar appears here once zones are signed (DNSSEC).
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from homing.activity import Series
from homing.dnssec.keys import Algorithm
from homing.errors import HomingError, InputError, StoreError
from homing.http.web.admin_users import admin_form, require_admin
from homing.http.web.charts import HEIGHT, WIDTH, chart
from homing.http.web.rendering import redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.store.pages import HostFilter

CHARTS = (
    (Series.UPDATES, "Updates applied", False),
    (Series.REFUSED, "Attempts refused", False),
    (Series.QUERIES, "DNS queries", True),
)


MAX_ALGORITHM_TEXT = 32
"""An algorithm's name is short; a longer text is cut before it is named in an error."""
NOTICES = {
    "signed": "The zone is signed. Give its DS record (below) to the registrar.",
    "unsigned": "The zone is no longer signed.",
}
"""What a redirect back here says, by its ``done`` parameter (never text from the request)."""


async def server_page(site: WebSite, request: Request) -> Response:
    viewer = await require_admin(site, request)
    if isinstance(viewer, Response):
        return viewer
    return await _page(site, viewer, notice=NOTICES.get(request.query_params.get("done", "")))


async def change_signing(site: WebSite, request: Request) -> Response:
    """Sign a zone or stop signing it (a form on this page); back to the page once served."""
    checked = await admin_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    zone = request.path_params["zone"]
    dnssec = site.ctx.api.dnssec
    try:
        action = form.get("action")
        if action == "enable":
            algorithm = Algorithm.parse(form.get("algorithm", "")[:MAX_ALGORITHM_TEXT])
            await dnssec.enable(zone, algorithm)
            done = "signed"
        elif action == "disable":
            if form.get("parent_ds_removed") != "1":
                raise InputError(
                    f"first remove the DS of {zone} at the parent (the registrar), wait for its "
                    "TTL, then tick the box: while the DS is there, validating resolvers "
                    "refuse an unsigned zone"
                )
            await dnssec.disable(zone)
            done = "unsigned"
        else:
            raise InputError("choose to sign the zone or to stop signing it")
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await _page(site, viewer, error=str(exc), status=400)
    return redirect(f"/admin/server?done={done}")


async def _page(
    site: WebSite,
    viewer: Viewer,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    store = site.ctx.store
    now = datetime.now(UTC)
    activity = site.ctx.activity
    charts = [
        chart(activity.minutes(series), title=title, per_second=per_second, now=now)
        for series, title, per_second in CHARTS
    ]
    zones = await store.zones()
    secondaries = await store.secondaries()
    keys = await store.tsig_keys()
    return render(
        site,
        "server.html",
        viewer=viewer,
        section="server",
        title="Server",
        charts=charts,
        chart_width=WIDTH,
        chart_height=HEIGHT,
        zones=[
            (
                zone,
                [s for s in secondaries if s.zone_id == zone.id],
                [k for k in keys if k.zone_id == zone.id],
                await site.ctx.api.dnssec.status(zone.name),
            )
            for zone in zones
        ],
        users=await store.count_users(),
        admins=await store.count_users(admins_only=True),
        hosts=await store.count_hosts(HostFilter()),
        dns=", ".join(f"{h}:{p}" for h, p in site.ctx.dns_addresses) or "—",
        algorithms=[a.name.lower() for a in Algorithm],
        notice=notice,
        error=error,
        status=status,
    )
