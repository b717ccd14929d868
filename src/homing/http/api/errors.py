"""The API's errors: ``{"error": {"code", "message", "field"}}`` with the HTTP status they mean.

Codes are stable snake_case (scripts branch on them); messages are one line
for people. The core raises its own errors (``homing.errors``); ``from_homing``
turns each into the status HTTP gives it: 401 who are you, 403 you may not,
404 no such thing (also for another user's host: its existence is not told),
409 it clashes, 422 a field is wrong, 429 slow down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.responses import JSONResponse

from homing.errors import (
    ConflictError,
    ForbiddenError,
    HomingError,
    InputError,
    NotFoundError,
    StoreError,
)

ERROR_CODES: dict[str, tuple[int, str]] = {
    "missing_token": (401, "no `Authorization: Bearer` token was sent"),
    "invalid_token": (401, "the token is unknown or revoked"),
    "token_expired": (401, "the token has expired"),
    "forbidden": (403, "the token may not do this (read-only, scope, or not an admin)"),
    "not_found": (404, "no such resource (or not yours)"),
    "method_not_allowed": (405, "the resource does not support this method"),
    "conflict": (409, "the resource already exists or is in use"),
    "body_too_large": (413, "the request body is too large"),
    "unsupported_media_type": (415, "the body must be JSON (`Content-Type: application/json`)"),
    "malformed_json": (400, "the body is not a JSON object"),
    "missing_field": (422, "a required field is missing"),
    "unknown_field": (422, "a field or query parameter is not known"),
    "invalid_value": (422, "a field has a wrong type or value"),
    "too_many_attempts": (429, "too many failed authentications from this address"),
    "store_unavailable": (503, "the database failed; try again"),
}
"""Every code the API answers with, its status and meaning (docs/api.md lists the same)."""


class ApiError(Exception):
    """An error answer; raised anywhere below a handler, rendered by the operation wrapper."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = ERROR_CODES[code][0]
        self.message = message
        self.field = field
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, str] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


def from_homing(exc: HomingError) -> ApiError:
    """The API error for a core error (their messages are already one line for people)."""
    message = str(exc)
    if isinstance(exc, InputError):
        return ApiError("invalid_value", message, field=exc.field)
    if isinstance(exc, NotFoundError):
        return ApiError("not_found", message)
    if isinstance(exc, ForbiddenError):
        return ApiError("forbidden", message)
    if isinstance(exc, ConflictError):
        return ApiError("conflict", message)
    if isinstance(exc, StoreError):
        return ApiError("store_unavailable", "the change could not be stored; try again")
    return ApiError("invalid_value", message)


@contextmanager
def about(field: str) -> Iterator[None]:
    """Name ``field`` in core input errors raised inside the block that name none."""
    try:
        yield
    except InputError as exc:
        if exc.field is None:
            exc.field = field
        raise
