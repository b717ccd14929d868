"""The audit page: every update and refused attempt, newest first, a page at a time.

Owners see the rows of their hosts; admins see every row, including
refusals that name no host of ours (wrong passwords, lock-outs, unknown
tokens). Pages follow a cursor (``before`` = the last id shown), so rows
arriving meanwhile never shift what the next page shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from homing.domain.outcomes import UpdateOutcome
from homing.http.web.access import require_viewer
from homing.http.web.host_page import find_visible_host
from homing.http.web.rendering import render
from homing.http.web.site import WebSite
from homing.http.web.timeline import mark_kind
from homing.store.pages import ACCEPTED
from homing.store.rows import HistoryRow
from homing.store.store import HistoryFilter

PAGE_SIZE = 50
REFUSALS = tuple(o.value for o in UpdateOutcome if o.value not in ACCEPTED)


def _cursor(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


async def audit(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    wanted = request.query_params.get("host", "").strip().rstrip(".").lower()[:253]
    refused_only = request.query_params.get("refused") == "1"
    host_ids: tuple[int, ...] | None = None
    owner_id = None if viewer.is_admin else viewer.user.id  # admins: also rows of no host
    if wanted:
        host = await find_visible_host(site, viewer, wanted)
        host_ids, owner_id = ((host.id,) if host else ()), None
    rows: list[HistoryRow] = []
    if host_ids is None or host_ids:
        where = HistoryFilter(
            host_ids=host_ids,
            owner_id=owner_id,
            outcomes=REFUSALS if refused_only else (),
            before_id=_cursor(request.query_params.get("before")),
        )
        rows = await site.ctx.store.history_page(where, limit=PAGE_SIZE + 1)
    older = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        query = {"before": str(rows[-1].id)}
        if wanted:
            query["host"] = wanted
        if refused_only:
            query["refused"] = "1"
        older = "/audit?" + urlencode(query)
    return render(
        site,
        "audit.html",
        viewer=viewer,
        section="audit",
        title="Audit log",
        rows=rows,
        kinds={row.id: mark_kind(row.outcome) for row in rows},
        wanted=wanted,
        refused_only=refused_only,
        older=older,
        first_page=_cursor(request.query_params.get("before")) is None,
        now=datetime.now(UTC),
    )
