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
from homing.http.web.admin_users import require_admin
from homing.http.web.charts import HEIGHT, WIDTH, chart
from homing.http.web.rendering import render
from homing.http.web.site import WebSite
from homing.store.pages import HostFilter

CHARTS = (
    (Series.UPDATES, "Updates applied", False),
    (Series.REFUSED, "Attempts refused", False),
    (Series.QUERIES, "DNS queries", True),
)


async def server_page(site: WebSite, request: Request) -> Response:
    viewer = await require_admin(site, request)
    if isinstance(viewer, Response):
        return viewer
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
    )
