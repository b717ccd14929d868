"""Pages of the API's lists: ``limit`` and ``cursor`` in, ``items`` and ``next_cursor`` out.

Every list answers one page, like ``/history``: a client follows
``next_cursor`` until it is null. The cursor is the sort key of a page's
last row (a name, or an id) in URL-safe base64: opaque to clients, so the
sort key can change without breaking them, and safe in a query string.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.responses import Response

from homing.http.api.errors import ApiError
from homing.http.api.operations import Param, list_of, ok
from homing.http.api.parsing import Fields
from homing.store.pages import Page

R = TypeVar("R")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_CURSOR = 400
BAD_CURSOR = "not a cursor from a previous page"


def encode_cursor(key: str | int) -> str:
    return base64.urlsafe_b64encode(str(key).encode()).decode().rstrip("=")


def _decoded(cursor: str) -> str:
    if len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise ApiError("invalid_value", BAD_CURSOR, field="cursor")
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, ValueError):
        raise ApiError("invalid_value", BAD_CURSOR, field="cursor") from None
    if not key or "\x00" in key:
        raise ApiError("invalid_value", BAD_CURSOR, field="cursor")
    return key


def page_limit(query: Fields) -> int:
    return query.integer("limit", low=1, high=MAX_LIMIT) or DEFAULT_LIMIT


def name_cursor(query: Fields) -> str | None:
    """The name the previous page ended with, or None for the first page."""
    cursor = query.text("cursor", max_length=MAX_CURSOR)
    return None if cursor is None else _decoded(cursor)


def id_cursor(query: Fields) -> int | None:
    cursor = query.text("cursor", max_length=MAX_CURSOR)
    if cursor is None:
        return None
    key = _decoded(cursor)
    if not key.isdigit() or len(key) > 18:
        raise ApiError("invalid_value", BAD_CURSOR, field="cursor")
    return int(key)


def page_answer(
    page: Page[R], shown: Callable[[R], dict[str, object]], *, key: Callable[[R], str | int]
) -> Response:
    """``{"items": [...], "next_cursor": ...}``: the cursor is ``key`` of the last item, null
    on the last page."""
    last = key(page.items[-1]) if page.more and page.items else None
    cursor = None if last is None else encode_cursor(last)
    return ok({"items": [shown(item) for item in page.items], "next_cursor": cursor})


PAGE_PARAMS = (
    Param(
        name="limit",
        description=f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        schema={"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    ),
    Param(
        name="cursor",
        description="`next_cursor` of the previous page (omit for the first).",
        schema={"type": "string"},
    ),
)


def page_of(component: str) -> dict[str, Any]:
    """The OpenAPI schema of one page of ``component`` items."""
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": list_of(component),
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        },
    }
