"""Request parsing: a JSON body or query string into typed values, or an error naming the field.

A small layer instead of a model library: each handler asks for the fields it
takes (``body.text("name")``, ``query.integer("limit", ...)``), and anything
it did not ask for is refused (``unknown_field``), so a misspelt field is an
error rather than silently ignored. Length limits are enforced here, before
the core sees a value.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from homing.http.api.errors import ApiError

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT = 1000
MAX_LIST = 100


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object (an empty body is ``{}``)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError("body_too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise ApiError("body_too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError("unsupported_media_type", f"expected application/json, not {kind[:40]}")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError("malformed_json", "the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ApiError("malformed_json", "the body must be a JSON object")
    return value


class Fields:
    """Typed access to named values; ``finish()`` refuses the ones nobody asked for."""

    def __init__(self, values: dict[str, Any], *, where: str) -> None:
        self._values = values
        self._asked: set[str] = set()
        self._where = where

    def _get(self, name: str, required: bool) -> Any:
        self._asked.add(name)
        if name not in self._values or self._values[name] is None:
            if required:
                raise ApiError("missing_field", f"{name} is required", field=name)
            return None
        return self._values[name]

    def present(self, name: str) -> bool:
        """Whether ``name`` was given with a value (absent and null are the same to handlers)."""
        return self._values.get(name) is not None

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ApiError("invalid_value", f"{name} must be a string", field=name)
        if len(value) > max_length:
            raise ApiError(
                "invalid_value", f"{name} has at most {max_length} characters", field=name
            )
        if "\x00" in value:
            raise ApiError("invalid_value", f"{name} contains a NUL character", field=name)
        return value

    def integer(self, name: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, str) and self._where == "query":
            try:
                value = int(value, 10)
            except ValueError:
                raise ApiError("invalid_value", f"{name} must be an integer", field=name) from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError("invalid_value", f"{name} must be an integer", field=name)
        if not low <= value <= high:
            raise ApiError("invalid_value", f"{name} must be from {low} to {high}", field=name)
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ApiError("invalid_value", f"{name} must be true or false", field=name)
        return value

    def texts(self, name: str, *, max_items: int = MAX_LIST, max_length: int = 255) -> list[str]:
        """A list of strings (a JSON array, or comma-separated in a query string)."""
        value = self._get(name, False)
        if value is None:
            return []
        if isinstance(value, str) and self._where == "query":
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError("invalid_value", f"{name} must be a list of strings", field=name)
        if len(value) > max_items:
            raise ApiError("invalid_value", f"{name} has at most {max_items} items", field=name)
        for item in value:
            if len(item) > max_length or "\x00" in item:
                raise ApiError(
                    "invalid_value",
                    f"{name}: items have at most {max_length} characters",
                    field=name,
                )
        return list(value)

    def objects(self, name: str, *, max_items: int) -> list[Fields]:
        """A non-empty list of JSON objects, each read with its own ``Fields``."""
        value = self._get(name, True)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ApiError("invalid_value", f"{name} must be a list of objects", field=name)
        if not 1 <= len(value) <= max_items:
            raise ApiError("invalid_value", f"{name} has 1 to {max_items} items", field=name)
        return [Fields(item, where=self._where) for item in value]

    def timestamp(self, name: str) -> datetime | None:
        """An RFC 3339 time (``2026-11-30T12:00:00Z``); without a zone it is taken as UTC."""
        value = self.text(name, max_length=40)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.strip())
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise ApiError(
                "invalid_value", f"{name} must be a time like 2026-11-30T12:00:00Z", field=name
            ) from None

    def finish(self) -> None:
        for name in self._values:
            if name not in self._asked:
                where = "field" if self._where == "body" else "query parameter"
                raise ApiError("unknown_field", f"unknown {where} {name[:40]!r}", field=name[:40])


async def body_fields(request: Request) -> Fields:
    return Fields(await read_json(request), where="body")


def query_fields(params: QueryParams) -> Fields:
    return Fields(dict(params), where="query")
