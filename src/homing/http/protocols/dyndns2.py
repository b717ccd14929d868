"""The dyndns2 protocol (``/nic/update``, ``/v3/update``): what routers, ddclient and inadyn speak.

Return codes follow Dyn's and No-IP's documentation: one result line per
hostname, in request order (``good IP`` / ``nochg IP`` / ``nohost`` / ...),
HTTP 200 for result lines, and 401 with a Basic challenge only when the
request carries no credentials (neither a Basic header nor query
parameters). The request shapes routers send are read by
``update_request``. One extension: a malformed address gets ``badinput
<why>``, recorded in the host's history (Dyn would silently use the source
address instead, which would publish an address the client did not ask for).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from homing.core.host_edits import HostResult
from homing.domain.addresses import AddressPolicy, parse_address
from homing.domain.edits import HostEdit
from homing.domain.names import normalize_name
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.errors import InputError
from homing.http.context import HttpContext
from homing.http.protocols.outage import refusing_while_store_down
from homing.http.protocols.update_request import Family, UpdateQuery, read_addresses, read_query

log = logging.getLogger(__name__)

REALM = 'Basic realm="Homing DDNS", charset="UTF-8"'
SYSTEMS = {"dyndns", "statdns", "custom"}
MAX_QUERY_LENGTH = 4096


def _lines(*lines: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse("\n".join(lines) + "\n", status_code=status, headers=headers)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(login, secret) from an ``Authorization: Basic`` header, or None if absent/malformed."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip() or len(value) > 4096:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, sep, secret = decoded.partition(":")
    return (login, secret) if sep else None


def _flag(name: str, value: str | None, *, yes: str, no: str) -> bool | None:
    """Dyn's YES/NO and ON/OFF switches; NOCHG or absent leaves the setting alone."""
    if value is None:
        return None
    upper = value.strip().upper()
    if upper == yes:
        return True
    if upper == no:
        return False
    if upper in {"NOCHG", ""}:
        return None
    raise ValueError(f"{name}: {value[:20]!r} is not {yes}, {no} or NOCHG")


def build_edit(query: UpdateQuery, *, source: str | None, policy: AddressPolicy) -> HostEdit:
    """The update a request asks for; raises InputError/ValueError with a one-line reason."""
    addresses = read_addresses(list(query.pairs), policy=policy)
    switches = query.switches
    offline = _flag("offline", switches.get("offline"), yes="YES", no="NO")
    ipv4, ipv6 = addresses.ipv4, addresses.ipv6
    nothing_given = ipv4 is None and ipv6 is None and addresses.ipv6_prefix is None
    if nothing_given and source is not None and not offline:
        # Without any address, the caller's own (unless the request spoke of its family).
        own = parse_address(source, policy=policy)
        if isinstance(own, ipaddress.IPv4Address):
            if Family.IPV4 not in addresses.mentioned:
                ipv4 = own
        elif Family.IPV6 not in addresses.mentioned:
            ipv6 = own
    mx = switches.get("mx")
    mx_name: str | None = None
    if mx is not None and mx.strip().upper() != "NOCHG":
        mx_name = normalize_name(mx) if mx.strip() else ""
    return HostEdit(
        ipv4=ipv4,
        ipv6=ipv6,
        ipv6_prefix=addresses.ipv6_prefix,
        clear_ipv4=Family.IPV4 in addresses.remove,
        clear_ipv6=Family.IPV6 in addresses.remove,
        offline=offline,
        wildcard=_flag("wildcard", switches.get("wildcard"), yes="ON", no="OFF"),
        mx=mx_name,
        backmx=_flag("backmx", switches.get("backmx"), yes="YES", no="NO") is True,
    )


def _shown(edit: HostEdit, result: HostResult) -> str:
    """The addresses a ``good``/``nochg`` line names: those sent, or the new ones for a prefix."""
    if edit.ipv6_prefix is not None and edit.ipv6 is None:
        return ",".join(result.ipv4 + result.ipv6)
    return ",".join(edit.addresses) or ",".join(result.ipv4 + result.ipv6)


def update_handler(ctx: HttpContext) -> Callable[[Request], Awaitable[Response]]:
    """The dyndns2 update, for ``/nic/update``, ``/v3/update`` and deSEC-style ``/update``."""

    async def update(request: Request) -> Response:
        if request.method not in {"GET", "POST"}:
            return _lines(UpdateOutcome.BADAGENT.value)
        agent = request.headers.get("user-agent", "")
        if any(blocked.lower() in agent.lower() for blocked in ctx.settings.blocked_user_agents):
            return _lines(UpdateOutcome.BADAGENT.value)
        # The query as ``request.url.query`` has it, without building the whole URL.
        try:
            raw_query = request.scope.get("query_string", b"").decode()
        except UnicodeDecodeError:
            return _lines(f"{UpdateOutcome.BADINPUT.value} the query is not UTF-8")
        if len(raw_query) > MAX_QUERY_LENGTH:
            return _lines(f"{UpdateOutcome.BADINPUT.value} request too long")
        query = read_query(raw_query)
        credentials = basic_credentials(request.headers.get("authorization")) or query.credentials
        if credentials is None:
            return _lines(
                UpdateOutcome.BADAUTH.value, status=401, headers={"WWW-Authenticate": REALM}
            )
        source = ctx.caller(request)
        hostnames = list(query.hostnames)
        authn = await ctx.auth.basic(
            *credentials, source=source, front_door=FrontDoor.DYNDNS2, targets=hostnames
        )
        if authn.outcome is AuthOutcome.ABUSE:
            return _lines(UpdateOutcome.ABUSE.value)
        if authn.principal is None:
            return _lines(UpdateOutcome.BADAUTH.value)
        system = query.switches.get("system", "dyndns").strip().lower()
        if system not in SYSTEMS:
            return _lines("badsys")
        if query.unknown:
            ctx.unknown_parameters[FrontDoor.DYNDNS2.value] += len(query.unknown)
            log.debug("update ignores parameters it does not know: %s", ", ".join(query.unknown))
        if not hostnames:
            hostnames = await ctx.updates.default_hosts(authn.principal, login=credentials[0])
        if not hostnames:
            return _lines(UpdateOutcome.NOTFQDN.value)
        try:
            edit = build_edit(query, source=source, policy=ctx.settings.policy)
        except (ValueError, InputError) as exc:
            detail = str(exc)[:100]
            await ctx.updates.refuse_input(
                authn.principal,
                hostnames=hostnames,
                detail=detail,
                source=source,
                front_door=FrontDoor.DYNDNS2,
            )
            return _lines(f"{UpdateOutcome.BADINPUT.value} {detail}")
        results = await ctx.updates.apply_update(
            authn.principal,
            hostnames=hostnames,
            edit=edit,
            source=source,
            front_door=FrontDoor.DYNDNS2,
        )
        lines = []
        for result in results:
            if result.outcome in {UpdateOutcome.GOOD, UpdateOutcome.NOCHG}:
                lines.append(f"{result.outcome.value} {_shown(edit, result)}".rstrip())
            elif result.outcome is UpdateOutcome.BADINPUT:
                lines.append(f"{result.outcome.value} {result.detail[:100]}".rstrip())
            else:
                lines.append(result.outcome.value)
        return _lines(*lines)

    def server_error() -> Response:
        return _lines(UpdateOutcome.SERVER_ERROR.value)

    return refusing_while_store_down(update, answer=server_error, front_door=FrontDoor.DYNDNS2)


def routes(ctx: HttpContext) -> list[Route]:
    update = update_handler(ctx)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return [
        Route("/nic/update", update, methods=methods),
        Route("/v3/update", update, methods=methods),
    ]
