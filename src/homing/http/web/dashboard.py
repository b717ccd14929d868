"""The dashboard: each host the viewer may see, with its addresses, health and recent history.

One card per host answers "is my name pointing at me?" at a glance: the
current A/AAAA values, when and from where the last update came, the health
badge (see ``health``) and a week of history as a strip of marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from homing.http.web.access import require_viewer
from homing.http.web.health import HostHealth, host_health
from homing.http.web.rendering import render
from homing.http.web.site import Viewer, WebSite
from homing.http.web.timeline import HEIGHT, WIDTH, Mark, timeline
from homing.store.rows import HistoryRow, HostRow

HISTORY_ROWS = 50
TIMELINE_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True, kw_only=True)
class HostCard:
    host: HostRow
    name: str
    ipv4: list[str]
    ipv6: list[str]
    health: HostHealth
    marks: list[Mark]
    latest: HistoryRow | None


async def host_card(site: WebSite, host: HostRow, *, now: datetime) -> HostCard:
    store = site.ctx.store
    records = await store.host_records(host.id)
    history = await store.history(host_id=host.id, limit=HISTORY_ROWS)
    stale_after = timedelta(hours=site.ctx.settings.web_stale_hours)
    return HostCard(
        host=host,
        name=host.fqdn.rstrip("."),
        ipv4=[r.rdata for r in records if r.rtype == "A" and r.name == host.fqdn],
        ipv6=[r.rdata for r in records if r.rtype == "AAAA" and r.name == host.fqdn],
        health=host_health(host, history, now=now, stale_after=stale_after),
        marks=timeline(history, now=now, window=TIMELINE_WINDOW),
        latest=history[0] if history else None,
    )


async def visible_hosts(site: WebSite, viewer: Viewer) -> list[HostRow]:
    store = site.ctx.store
    if viewer.is_admin:
        return await store.hosts()
    return await store.hosts(owner_id=viewer.user.id)


def _notice(request: Request) -> str | None:
    if request.query_params.get("deleted"):
        return "Host deleted."
    if request.query_params.get("welcome"):
        return "Welcome to Homing. Add a host to get a name that follows your address."
    return None


async def dashboard(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    now = datetime.now(UTC)
    cards = [await host_card(site, host, now=now) for host in await visible_hosts(site, viewer)]
    return render(
        site,
        "dashboard.html",
        viewer=viewer,
        section="dashboard",
        title="Hosts",
        cards=cards,
        now=now,
        timeline_width=WIDTH,
        timeline_height=HEIGHT,
        stale_hours=site.ctx.settings.web_stale_hours,
        notice=_notice(request),
    )
