"""``/ip`` and ``/checkip``: the caller's address, for scripts and for dyndns-style clients."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from homing.http.context import HttpContext

CHECKIP_HTML = (
    "<html><head><title>Current IP Check</title></head>"
    "<body>Current IP Address: {address}</body></html>\r\n"
)


def routes(ctx: HttpContext) -> list[Route]:
    async def plain(request: Request) -> Response:
        return PlainTextResponse(f"{ctx.caller(request) or 'unknown'}\n")

    async def checkip(request: Request) -> Response:
        # The checkip.dyndns.org format, which ddclient's `use=web` and routers parse.
        return HTMLResponse(CHECKIP_HTML.format(address=ctx.caller(request) or "unknown"))

    return [Route("/ip", plain), Route("/checkip", checkip)]
