"""The DuckDNS API: ``/update?domains=&token=&ip=&ipv6=&txt=&clear=&verbose=`` and its path form.

Answers are ``OK`` or ``KO`` exactly as DuckDNS prints them; with
``verbose=true`` the lines DuckDNS adds (addresses, or the TXT value, then
``UPDATED`` / ``NOCHANGE``). A request touches all its domains or none. TXT
values are also published at ``_acme-challenge.<name>`` so ACME clients'
DuckDNS plugins work unchanged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from homing.domain.addresses import parse_address
from homing.domain.edits import HostEdit, valid_txt
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.errors import AddressError
from homing.http.context import HttpContext
from homing.http.protocols.outage import refusing_while_store_down

MAX_DOMAINS_LENGTH = 4096
PARAMETERS = frozenset({"domains", "token", "ip", "ipv6", "txt", "clear", "verbose"})
"""DuckDNS's documented parameters; a request with any other is answered KO."""


def _text(body: str) -> Response:
    return PlainTextResponse(body)


KO = "KO"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes"}


def build_edit(
    *, ip: str, ipv6: str, txt: str | None, clear: bool, source: str | None, ctx: HttpContext
) -> HostEdit:
    """The edit a DuckDNS request asks for; raises AddressError/ValueError on bad input."""
    if txt is not None:
        if clear:
            return HostEdit(clear_txt=True)
        if not valid_txt(txt):
            raise ValueError("txt must be 1-255 printable ASCII characters")
        return HostEdit(txt=txt)
    if clear:
        return HostEdit(clear_addresses=True)
    ipv4_address: ipaddress.IPv4Address | None = None
    ipv6_address: ipaddress.IPv6Address | None = None
    texts = [t for t in (ip.strip(), ipv6.strip()) if t]
    if not texts and source is not None:
        texts = [source]
    for text in texts:
        address = parse_address(text, policy=ctx.settings.policy)
        if isinstance(address, ipaddress.IPv4Address):
            ipv4_address = address
        else:
            ipv6_address = address
    if ipv4_address is None and ipv6_address is None:
        raise AddressError("no address to publish")
    return HostEdit(ipv4=ipv4_address, ipv6=ipv6_address)


def _handlers(
    ctx: HttpContext,
) -> tuple[Callable[[Request], Awaitable[Response]], Callable[[Request], Awaitable[Response]]]:
    async def handle(
        request: Request, *, domains: str, token: str, ip: str, params: dict[str, str]
    ) -> Response:
        verbose = _truthy(params.get("verbose"))
        if not token or not domains or len(domains) > MAX_DOMAINS_LENGTH:
            return _text(KO)
        if not PARAMETERS.issuperset(params):
            return _text(KO)
        source = ctx.caller(request)
        zone = await ctx.updates.default_zone(ctx.settings.default_zone)
        names = []
        for label in (d.strip() for d in domains.split(",")):
            if not label:
                continue
            if "." not in label.rstrip(".") and zone is not None:
                label = f"{label}.{zone}"
            names.append(label)
        authn = await ctx.auth.token(
            token, source=source, front_door=FrontDoor.DUCKDNS, targets=names
        )
        if authn.outcome is not AuthOutcome.OK or authn.principal is None:
            return _text(KO)
        try:
            edit = build_edit(
                ip=ip,
                ipv6=params.get("ipv6", ""),
                txt=params.get("txt"),
                clear=_truthy(params.get("clear")),
                source=source,
                ctx=ctx,
            )
        except (AddressError, ValueError):
            return _text(KO)
        results = await ctx.updates.apply_update(
            authn.principal,
            hostnames=names,
            edit=edit,
            source=source,
            front_door=FrontDoor.DUCKDNS,
            all_or_nothing=True,
        )
        if not results or any(
            r.outcome not in {UpdateOutcome.GOOD, UpdateOutcome.NOCHG} for r in results
        ):
            return _text(KO)
        if not verbose:
            return _text("OK")
        changed = "UPDATED" if any(r.outcome is UpdateOutcome.GOOD for r in results) else "NOCHANGE"
        first = results[0]
        if edit.txt is not None or edit.clear_txt:
            return _text(f"OK\n{edit.txt or ''}\n{changed}")
        return _text(f"OK\n{','.join(first.ipv4)}\n{','.join(first.ipv6)}\n{changed}")

    async def query_form(request: Request) -> Response:
        params = dict(request.query_params)
        return await handle(
            request,
            domains=params.get("domains", ""),
            token=params.get("token", ""),
            ip=params.get("ip", ""),
            params=params,
        )

    async def path_form(request: Request) -> Response:
        params = dict(request.query_params)
        return await handle(
            request,
            domains=request.path_params["domains"],
            token=request.path_params["token"],
            ip=request.path_params.get("ip", params.get("ip", "")),
            params=params,
        )

    def refused() -> Response:
        return _text(KO)

    return (
        refusing_while_store_down(query_form, answer=refused, front_door=FrontDoor.DUCKDNS),
        refusing_while_store_down(path_form, answer=refused, front_door=FrontDoor.DUCKDNS),
    )


def is_duckdns_query(request: Request) -> bool:
    """Whether an ``/update`` request is DuckDNS's (it names ``domains`` or a ``token``)."""
    return "domains" in request.query_params or "token" in request.query_params


def query_handler(ctx: HttpContext) -> Callable[[Request], Awaitable[Response]]:
    """The query form ``/update?domains=&token=``; ``update_path`` routes to it."""
    return _handlers(ctx)[0]


def routes(ctx: HttpContext) -> list[Route]:
    """The path forms; the query form shares ``/update`` (see ``update_path``)."""
    path_form = _handlers(ctx)[1]
    return [
        Route("/update/{domains}/{token}", path_form),
        Route("/update/{domains}/{token}/{ip}", path_form),
    ]
