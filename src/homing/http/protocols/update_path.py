"""``/update``: one path, three protocols, told apart by the request's shape.

DuckDNS (``?domains=…&token=…``), acme-dns (``POST`` with ``X-Api-User`` /
``X-Api-Key``) and deSEC-style dyndns2 (``?hostname=…&myipv4=…`` with Basic
auth or credentials in the query, what ddns-updater and OpenWrt send to
deSEC) all use ``/update``. DuckDNS and acme-dns are recognised by what only
they send; everything else is dyndns2.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from homing.http.context import HttpContext
from homing.http.protocols import acmedns, duckdns, dyndns2


def routes(ctx: HttpContext) -> list[Route]:
    duck = duckdns.query_handler(ctx)
    acme = acmedns.update_handler(ctx)
    dyn = dyndns2.update_handler(ctx)

    async def update(request: Request) -> Response:
        if acmedns.is_acmedns_update(request):
            return await acme(request)
        if duckdns.is_duckdns_query(request):
            return await duck(request)
        return await dyn(request)

    return [Route("/update", update, methods=["GET", "POST"])]
