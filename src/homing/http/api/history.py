"""``/history``: every update and refusal of the caller's hosts, newest first, a page at a time.

The cursor is the id of the last row of a page (opaque to clients): paging
by id is stable while new rows arrive, which page numbers are not. Admins
also see refusals that belong to no host (bad credentials, lock-outs).
"""

from __future__ import annotations

from starlette.responses import Response

from homing.domain.outcomes import UpdateOutcome
from homing.http.api import render
from homing.http.api.errors import ApiError
from homing.http.api.lookup import visible_host
from homing.http.api.operations import Call, Operation, Param, ok, ref
from homing.store.store import HistoryFilter

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
RESULTS = tuple(o.value for o in UpdateOutcome)


async def list_history(call: Call) -> Response:
    query = call.query()
    host_name = query.text("host", max_length=253)
    since = query.timestamp("since")
    until = query.timestamp("until")
    results = query.texts("result", max_items=len(RESULTS), max_length=16)
    limit = query.integer("limit", low=1, high=MAX_LIMIT) or DEFAULT_LIMIT
    cursor = query.text("cursor", max_length=20)
    query.finish()
    for result in results:
        if result not in RESULTS:
            raise ApiError(
                "invalid_value", f"result must be one of {', '.join(RESULTS)}", field="result"
            )
    before: int | None = None
    if cursor is not None:
        if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
            raise ApiError("invalid_value", "not a cursor from a previous page", field="cursor")
        before = int(cursor)
    host_ids: tuple[int, ...] | None = None
    owner_id: int | None = None
    scope = call.principal.scope.hosts
    if host_name is not None:
        host_ids = ((await visible_host(call, host_name)).id,)
    elif scope:
        found = await call.api.store.find_hosts(list(scope))
        host_ids = tuple(h.id for h in found.values() if call.principal.sees(h))
    elif not call.principal.is_admin:
        owner_id = call.principal.user_id  # a subquery: never a list of every host
    where = HistoryFilter(
        host_ids=host_ids,
        owner_id=owner_id,
        since=since,
        until=until,
        outcomes=tuple(results),
        before_id=before,
    )
    rows = await call.api.store.history_page(where, limit=limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    return ok(
        {
            "items": [render.history(r, call.principal.scope) for r in page],
            "next_cursor": str(page[-1].id) if more and page else None,
        }
    )


def operations() -> list[Operation]:
    text = {"type": "string"}
    return [
        Operation(
            method="GET",
            path="/history",
            handler=list_history,
            operation_id="listHistory",
            summary="Updates and refused attempts, newest first, paginated by cursor.",
            tag="history",
            response=ref("HistoryPage"),
            query=(
                Param(name="host", description="Only this host.", schema=text),
                Param(
                    name="since",
                    description="Only rows at or after this time (RFC 3339).",
                    schema={"type": "string", "format": "date-time"},
                ),
                Param(
                    name="until",
                    description="Only rows before this time (RFC 3339).",
                    schema={"type": "string", "format": "date-time"},
                ),
                Param(
                    name="result",
                    description="Only these results (comma-separated), e.g. `good,badauth`.",
                    schema=text,
                ),
                Param(
                    name="limit",
                    description=f"Rows per page (default {DEFAULT_LIMIT}).",
                    schema={"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                ),
                Param(
                    name="cursor",
                    description="`next_cursor` of the previous page.",
                    schema=text,
                ),
            ),
        )
    ]
