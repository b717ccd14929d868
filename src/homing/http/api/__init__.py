"""The REST API (``/api/v1``): JSON resources for scripts, bearer tokens, an OpenAPI document.

One module per resource, each listing its ``Operation``s; ``routes`` joins
them, adds the schema and docs pages, and answers unknown ``/api/v1`` paths
with a JSON 404 rather than the site's plain-text one.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from homing.http.api import alerts, history, hosts, me, records, update_tokens, users, zones
from homing.http.api.errors import ApiError
from homing.http.api.openapi import docs_page, document, script_hash
from homing.http.api.operations import PREFIX, Operation
from homing.http.api.operations import routes as operation_routes
from homing.http.context import HttpContext


def operations() -> list[Operation]:
    return [
        *me.operations(),
        *alerts.operations(),
        *zones.operations(),
        *users.operations(),
        *hosts.operations(),
        *records.operations(),
        *update_tokens.operations(),
        *history.operations(),
    ]


def routes(ctx: HttpContext) -> list[BaseRoute]:
    table = operations()
    schema = document(table)
    page = docs_page(table)
    csp = (
        f"default-src 'none'; script-src {script_hash()}; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    )

    async def openapi_json(_request: Request) -> Response:
        return JSONResponse(schema)

    async def docs(_request: Request) -> Response:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    async def not_found(request: Request) -> Response:
        return ApiError("not_found", f"no API resource {request.url.path[:100]}").response()

    return [
        Route(PREFIX + "/openapi.json", openapi_json, methods=["GET"]),
        Route(PREFIX + "/docs", docs, methods=["GET"]),
        *operation_routes(
            table,
            ctx.api,
            ctx.caller,
            settings=ctx.settings,
        ),
        Route(
            PREFIX + "/{rest:path}",
            not_found,
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        ),
    ]
