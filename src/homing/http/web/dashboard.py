"""The dashboard: a page of the hosts the viewer may see, with addresses, health and history.

One card per host answers "is my name pointing at me?" at a glance: the
current A/AAAA values, when and from where the last update came, the health
badge (see ``health``) and a week of history as a strip of marks.

An account may hold a million hosts (issue 15), so the page shows
``PAGE_SIZE`` of them by name after a cursor (``?after=``), narrowed by a
search (``?q=``, a substring of the name) or to the failing or stale ones
(``?show=``); the counts above come from index ranges (``store/pages.py``).
Nothing here reads every host.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from homing.http.web.access import require_viewer
from homing.http.web.health import HostHealth, host_health
from homing.http.web.rendering import render
from homing.http.web.site import Viewer, WebSite
from homing.http.web.timeline import Mark, day_ticks, timeline
from homing.store.pages import HostCounts, HostFilter
from homing.store.rows import HistoryRow, HostRow, RecordRow

HISTORY_ROWS = 50
PAGE_SIZE = 48
"""Cards per page: divisible by the 1, 2 and 3 columns of the layout."""
MAX_SEARCH = 253
COUNTS_SECONDS = 10.0
MAX_KEPT_COUNTS = 1000


class Show(StrEnum):
    """The dashboard's filter: every host, or only those that need the owner."""

    ALL = "all"
    FAILING = "failing"
    STALE = "stale"


@dataclass(frozen=True, slots=True, kw_only=True)
class HostCard:
    host: HostRow
    name: str
    ipv4: list[str]
    ipv6: list[str]
    health: HostHealth
    marks: list[Mark]
    ticks: list[int]
    latest: HistoryRow | None


def host_card(
    site: WebSite,
    host: HostRow,
    *,
    records: list[RecordRow],
    history: list[HistoryRow],
    now: datetime,
) -> HostCard:
    """The card of ``host`` from its records and newest history rows (newest first)."""
    stale_after = timedelta(hours=site.ctx.settings.web_stale_hours)
    return HostCard(
        host=host,
        name=host.fqdn.rstrip("."),
        ipv4=[r.rdata for r in records if r.rtype == "A" and r.name == host.fqdn],
        ipv6=[r.rdata for r in records if r.rtype == "AAAA" and r.name == host.fqdn],
        health=host_health(host, history, now=now, stale_after=stale_after),
        marks=timeline(history, now=now),
        ticks=day_ticks(now),
        latest=history[0] if history else None,
    )


async def host_cards(site: WebSite, hosts: list[HostRow], *, now: datetime) -> list[HostCard]:
    """Cards for a page of hosts: two reads for the whole page, not two per host."""
    ids = [h.id for h in hosts]
    records = await site.ctx.store.records_of(ids)
    history = await site.ctx.store.recent_history(ids, per_host=HISTORY_ROWS)
    return [
        host_card(site, h, records=records[h.id], history=history[h.id], now=now) for h in hosts
    ]


async def host_counts(site: WebSite, mine: HostFilter, *, cutoff: datetime) -> HostCounts:
    """The three counts, read side by side, and kept ``COUNTS_SECONDS`` per viewer's scope:
    a million hosts take a few hundred milliseconds to count, and paging through them or
    searching need not count them again (issue 15). Hosts added or deleted in the web UI
    clear them; changes through other doors show within those seconds."""
    key = mine.owner_id
    kept = site.counts.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    store = site.ctx.store
    total, failing, stale = await asyncio.gather(
        store.count_hosts(mine),
        store.count_failing(cutoff, owner_id=mine.owner_id),
        store.count_hosts(replace(mine, stale_before=cutoff)),
    )
    counts = HostCounts(total=total, failing=failing, stale=stale)
    if len(site.counts) >= MAX_KEPT_COUNTS:
        site.counts.clear()
    site.counts[key] = (time.monotonic() + COUNTS_SECONDS, counts)
    return counts


def viewer_filter(viewer: Viewer) -> HostFilter:
    """An admin sees every host, anyone else their own."""
    return HostFilter(owner_id=None if viewer.is_admin else viewer.user.id)


def _notice(request: Request) -> str | None:
    if request.query_params.get("deleted"):
        return "Host deleted."
    if request.query_params.get("welcome"):
        return "Welcome to Homing. Add a host to get a name that follows your address."
    return None


def _show(text: str) -> Show:
    try:
        return Show(text)
    except ValueError:
        return Show.ALL


async def dashboard(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    store = site.ctx.store
    params = request.query_params
    now = datetime.now(UTC)
    cutoff = now - timedelta(hours=site.ctx.settings.web_stale_hours)
    search = params.get("q", "").strip().rstrip(".").lower()[:MAX_SEARCH]
    show = _show(params.get("show", ""))
    after = params.get("after", "")[: MAX_SEARCH + 1] or None
    mine = viewer_filter(viewer)
    counts = await host_counts(site, mine, cutoff=cutoff)
    where = replace(
        mine,
        contains=search or None,
        after=after,
        failing_since=cutoff if show is Show.FAILING else None,
        stale_before=cutoff if show is Show.STALE else None,
    )
    page = await store.host_page(where, limit=PAGE_SIZE)
    if not page.items and where == mine:
        counts = HostCounts(total=0, failing=0, stale=0)  # known exactly, whatever was kept
        site.counts.pop(mine.owner_id, None)
    cards = await host_cards(site, page.items, now=now)
    kept = {k: v for k, v in (("q", search), ("show", show.value)) if v and v != Show.ALL}
    next_page = None
    if page.more and page.items:
        next_page = "/?" + urlencode({**kept, "after": page.items[-1].fqdn})
    return render(
        site,
        "dashboard.html",
        viewer=viewer,
        section="dashboard",
        title="Hosts",
        cards=cards,
        counts=counts,
        search=search,
        show=show.value,
        filters=[(s.value, "?" + urlencode({**kept, "show": s.value})) for s in Show],
        first_page=("/?" + urlencode(kept)) if after else None,
        next_page=next_page,
        now=now,
        stale_hours=site.ctx.settings.web_stale_hours,
        notice=_notice(request),
    )
