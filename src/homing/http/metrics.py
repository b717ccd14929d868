"""``/metrics``: the Prometheus text format, for the networks in ``metrics_allow_from`` only.

Metrics tell an outsider how busy the server is and which names are asked
for, so by default only loopback may read them. The caller is judged as
every front door judges it (``HttpContext.caller``): behind a reverse proxy,
list the proxy in ``trusted_proxies`` so that the real client is checked,
not the proxy.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from homing.http.context import HttpContext


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def routes(ctx: HttpContext) -> list[Route]:
    allowed = [ipaddress.ip_network(n, strict=False) for n in ctx.settings.metrics_allow_from]

    async def metrics(request: Request) -> Response:
        render = ctx.metrics
        if render is None:
            return PlainTextResponse("not found\n", status_code=404)
        address = _address(ctx.caller(request))
        if address is None or not any(address in network for network in allowed):
            return PlainTextResponse("forbidden\n", status_code=403)
        body, content_type = render()
        return Response(body, headers={"content-type": content_type})

    return [Route("/metrics", metrics)]
