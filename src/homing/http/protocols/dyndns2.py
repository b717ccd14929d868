"""The dyndns2 protocol (``/nic/update``, ``/v3/update``): what routers, ddclient and inadyn speak.

Return codes follow Dyn's and No-IP's documentation: one result line per
hostname, in request order (``good IP`` / ``nochg IP`` / ``nohost`` / ...),
HTTP 200 for result lines, and 401 with a Basic challenge only when the
request carries no credentials. One extension: a malformed ``myip`` gets
``badinput`` (Dyn would silently use the source address instead, which would
publish an address the client did not ask for).
"""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from homing.domain.addresses import split_families
from homing.domain.edits import HostEdit
from homing.domain.names import normalize_name
from homing.domain.outcomes import AuthOutcome, FrontDoor, UpdateOutcome
from homing.errors import AddressError, NameError_
from homing.http.context import HttpContext

REALM = 'Basic realm="Homing DDNS", charset="UTF-8"'
SYSTEMS = {"dyndns", "statdns", "custom"}
MAX_QUERY_LENGTH = 4096
PARAMETERS = frozenset(
    {"hostname", "myip", "myipv6", "offline", "wildcard", "mx", "backmx", "system"}
)
"""What Dyn's protocol defines (plus ``myipv6``); anything else is refused, not guessed at."""


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


def _flag(value: str | None, *, yes: str, no: str) -> bool | None:
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
    raise ValueError(value)


def build_edit(request: Request, source: str | None, ctx: HttpContext) -> HostEdit:
    """The update a dyndns2 request asks for; raises ValueError/AddressError/NameError_."""
    params = request.query_params
    texts = [t for t in params.get("myip", "").split(",") if t.strip()]
    texts += [t for t in params.get("myipv6", "").split(",") if t.strip()]
    offline = _flag(params.get("offline"), yes="YES", no="NO")
    if not texts and source is not None and not offline:
        texts = [source]
    ipv4, ipv6 = split_families(texts, policy=ctx.settings.policy)
    mx = params.get("mx")
    mx_name: str | None = None
    if mx is not None and mx.strip().upper() != "NOCHG":
        mx_name = normalize_name(mx) if mx.strip() else ""
    return HostEdit(
        ipv4=ipv4,
        ipv6=ipv6,
        offline=offline,
        wildcard=_flag(params.get("wildcard"), yes="ON", no="OFF"),
        mx=mx_name,
        backmx=_flag(params.get("backmx"), yes="YES", no="NO") is True,
    )


def routes(ctx: HttpContext) -> list[Route]:
    async def update(request: Request) -> Response:
        if request.method not in {"GET", "POST"}:
            return _lines(UpdateOutcome.BADAGENT.value)
        agent = request.headers.get("user-agent", "")
        if any(blocked.lower() in agent.lower() for blocked in ctx.settings.blocked_user_agents):
            return _lines(UpdateOutcome.BADAGENT.value)
        if len(request.url.query) > MAX_QUERY_LENGTH:
            return _lines(f"{UpdateOutcome.BADINPUT.value} request too long")
        credentials = basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            return _lines(
                UpdateOutcome.BADAUTH.value, status=401, headers={"WWW-Authenticate": REALM}
            )
        source = ctx.caller(request)
        hostnames = [h.strip() for h in request.query_params.get("hostname", "").split(",")]
        hostnames = [h for h in hostnames if h]
        authn = await ctx.auth.basic(
            *credentials, source=source, front_door=FrontDoor.DYNDNS2, targets=hostnames
        )
        if authn.outcome is AuthOutcome.ABUSE:
            return _lines(UpdateOutcome.ABUSE.value)
        if authn.principal is None:
            return _lines(UpdateOutcome.BADAUTH.value)
        system = request.query_params.get("system", "dyndns").strip().lower()
        if system not in SYSTEMS:
            return _lines("badsys")
        unknown = sorted(set(request.query_params) - PARAMETERS)
        if unknown:
            return _lines(f"{UpdateOutcome.BADINPUT.value} unknown parameter {unknown[0][:40]!r}")
        if not hostnames and authn.principal.host is not None:
            hostnames = [authn.principal.host]
        if not hostnames:
            return _lines(UpdateOutcome.NOTFQDN.value)
        try:
            edit = build_edit(request, source, ctx)
        except (ValueError, AddressError, NameError_) as exc:
            return _lines(f"{UpdateOutcome.BADINPUT.value} {str(exc)[:100]}")
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
                shown = ",".join(edit.addresses) or ",".join(result.ipv4 + result.ipv6)
                lines.append(f"{result.outcome.value} {shown}".rstrip())
            else:
                lines.append(result.outcome.value)
        return _lines(*lines)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return [
        Route("/nic/update", update, methods=methods),
        Route("/v3/update", update, methods=methods),
    ]
