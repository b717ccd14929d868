"""The route table: each operation once, with what the OpenAPI document says about it.

An ``Operation`` names its method, path, handler and schema; ``routes``
turns the table into Starlette routes (one per path, so a wrong method is a
JSON 405, not a plain-text one) and ``openapi.document`` turns the same
table into the schema, so the two cannot drift. Every operation runs behind
one wrapper: bearer authentication (with the failure brake), then the
handler, with core errors rendered as API errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from homing.config import Settings
from homing.core.api_services import ApiServices
from homing.core.api_tokens import ApiPrincipal, AuthFailure
from homing.errors import HomingError
from homing.http.api.errors import ApiError, from_homing
from homing.http.api.parsing import Fields, body_fields, query_fields

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_ID = 2**62
_MESSAGES = {
    AuthFailure.MISSING: "send the API token as `Authorization: Bearer hm_api_...`",
    AuthFailure.INVALID: "the API token is unknown or revoked",
    AuthFailure.EXPIRED: "the API token has expired",
    AuthFailure.LOCKED_OUT: "too many failed authentications from your address; wait",
}


@dataclass(frozen=True, kw_only=True)
class Call:
    """One authenticated request, as a handler sees it."""

    request: Request
    principal: ApiPrincipal
    source: str | None
    api: ApiServices
    settings: Settings

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def path_id(self, name: str) -> int:
        """A numeric id from the path; anything else is simply not found."""
        text = self.path(name)
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            raise ApiError("not_found", f"no such {name.removesuffix('_id')}: {text[:20]!r}")
        return int(text)

    async def body(self) -> Fields:
        return await body_fields(self.request)

    def query(self) -> Fields:
        return query_fields(self.request.query_params)


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, kw_only=True)
class Param:
    """A query parameter as the OpenAPI document describes it."""

    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Operation:
    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    status: int = 200
    request: str | None = None
    response: dict[str, Any] | None = None
    query: tuple[Param, ...] = ()
    errors: tuple[int, ...] = field(default=(401, 403, 404, 422, 429))


def ok(data: object, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


def no_content() -> Response:
    return Response(status_code=204)


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def openapi_path(path: str) -> str:
    """``/hosts/{fqdn}`` stays; Starlette's ``{name:conv}`` loses its converter."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", PREFIX + path)


def routes(
    operations: list[Operation],
    services: ApiServices,
    caller: Callable[[Request], str | None],
    *,
    settings: Settings,
) -> list[Route]:
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = op

    async def run(op: Operation, request: Request) -> Response:
        source = caller(request)
        try:
            authn = await services.bearer.authenticate(
                bearer(request.headers.get("authorization")), source=source
            )
            if authn.principal is None:
                failure = authn.failure or AuthFailure.INVALID
                headers = {"WWW-Authenticate": 'Bearer realm="Homing API"'}
                if failure is AuthFailure.LOCKED_OUT:
                    headers = {"Retry-After": str(int(settings.auth_lockout_seconds))}
                raise ApiError(failure.value, _MESSAGES[failure], headers=headers)
            call = Call(
                request=request,
                principal=authn.principal,
                source=source,
                api=services,
                settings=settings,
            )
            return await op.handler(call)
        except ApiError as exc:
            return exc.response()
        except HomingError as exc:
            error = from_homing(exc)
            if error.status >= 500:
                log.error("API %s %s failed: %s", op.method, request.url.path, exc)
            return error.response()

    def dispatcher(methods: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
        async def dispatch(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            op = methods.get(method)
            if op is None:
                allowed = ", ".join(sorted(methods))
                return ApiError(
                    "method_not_allowed",
                    f"{request.method[:10]} is not allowed here (use {allowed})",
                    headers={"Allow": allowed},
                ).response()
            return await run(op, request)

        return dispatch

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return [Route(PREFIX + path, dispatcher(ops), methods=methods) for path, ops in by_path.items()]


def ref(component: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{component}"}


def list_of(component: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(component)}
