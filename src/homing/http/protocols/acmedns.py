"""The acme-dns API (joohoi/acme-dns v1): ``POST /register`` and ``POST /update``.

What lego's, acme.sh's and certbot-dns-acmedns's acme-dns clients speak:
JSON in, JSON out, errors as ``{"error": "<code>"}`` with acme-dns's codes
(``forbidden``, ``bad_txt``, ``bad_subdomain``, ``malformed_json_payload``,
``invalid_allowfrom_cidr``, ``db_error``). Three additions, each a clear error
where acme-dns would have none: ``body_too_large`` (413) for bodies over
``MAX_BODY_BYTES``, ``registration_closed`` (403) when the operator
turned registration off (acme-dns drops the route instead), and
``not_configured`` (503) when no zone for the names can be chosen (the log
names the setting, ``acme_zone``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from homing.core.acme import AcmeOutcome
from homing.domain.acme import Registration
from homing.domain.outcomes import AuthOutcome, FrontDoor
from homing.errors import ConfigError, InputError, NotFoundError, StoreError
from homing.http.context import HttpContext
from homing.http.protocols.dyndns2 import basic_credentials

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 4096
REALM = 'Basic realm="Homing acme-dns registration", charset="UTF-8"'
_STATUS = {
    AcmeOutcome.OK: 200,
    AcmeOutcome.FORBIDDEN: 401,
    AcmeOutcome.BAD_SUBDOMAIN: 400,
    AcmeOutcome.BAD_TXT: 400,
    AcmeOutcome.DB_ERROR: 500,
}


class MalformedBody(ValueError):
    """The body is not one JSON object."""


class BodyTooLarge(ValueError):
    """The body is longer than ``MAX_BODY_BYTES``."""


def parse_body(raw: bytes, *, empty_ok: bool) -> dict[str, Any]:
    """The request body as a JSON object; raises MalformedBody for anything else."""
    if not raw.strip():
        if empty_ok:
            return {}
        raise MalformedBody("empty body")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedBody("not JSON") from None
    if not isinstance(value, dict):
        raise MalformedBody("not a JSON object")
    return value


async def read_body(request: Request) -> bytes:
    """At most ``MAX_BODY_BYTES`` of the body, refusing early on a larger Content-Length."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge(declared)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge(str(len(body)))
    return bytes(body)


def _error(code: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": code}, status_code=status, headers=headers)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def routes(ctx: HttpContext) -> list[Route]:
    registration = Registration(ctx.settings.acme_registration)

    async def may_register(request: Request, source: str | None) -> tuple[Response | None, str]:
        """None when the caller may register (and who it is), else the refusal."""
        if registration is Registration.OPEN:
            return None, "open registration"
        if registration is Registration.CLOSED:
            return _error("registration_closed", 403), ""
        credentials = basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            return _error("forbidden", 401, {"WWW-Authenticate": REALM}), ""
        authn = await ctx.auth.basic(*credentials, source=source, front_door=FrontDoor.ACMEDNS)
        if authn.outcome is not AuthOutcome.OK or authn.principal is None:
            return _error("forbidden", 401, {"WWW-Authenticate": REALM}), ""
        if not registration.allows(is_admin=authn.principal.is_admin):
            return _error("forbidden", 403), ""
        return None, authn.principal.credential

    async def register(request: Request) -> Response:
        source = ctx.caller(request)
        refusal, registered_by = await may_register(request, source)
        if refusal is not None:
            return refusal
        try:
            body = parse_body(await read_body(request), empty_ok=True)
        except BodyTooLarge:
            return _error("body_too_large", 413)
        except MalformedBody:
            return _error("malformed_json_payload", 400)
        try:
            account = await ctx.acme_accounts.register(
                allowfrom=body.get("allowfrom"),
                source=source,
                front_door=FrontDoor.ACMEDNS,
                registered_by=registered_by,
            )
        except InputError:
            return _error("invalid_allowfrom_cidr", 400)
        except ConfigError as exc:
            log.error("acme-dns registration refused: %s", exc)
            return _error("not_configured", 503)
        except (NotFoundError, StoreError) as exc:
            log.error("acme-dns registration failed: %s", exc)
            return _error("db_error", 500)
        return JSONResponse(
            {
                "username": account.username,
                "password": account.password,
                "fulldomain": account.fulldomain,
                "subdomain": account.subdomain,
                "allowfrom": list(account.allowfrom),
            },
            status_code=201,
        )

    return [
        Route("/register", register, methods=["POST"]),
    ]


def is_acmedns_update(request: Request) -> bool:
    """Whether an ``/update`` request is acme-dns's: a POST carrying its headers, or no query."""
    if request.method != "POST":
        return False
    headers = request.headers
    # The raw query, not ``request.url``: a query that is not UTF-8 must reach dyndns2's
    # ``badinput``, not fail while the URL is built.
    return "x-api-user" in headers or "x-api-key" in headers or not request.scope["query_string"]


def update_handler(ctx: HttpContext) -> Callable[[Request], Awaitable[Response]]:
    """``POST /update`` with X-Api-User/X-Api-Key; ``update_path`` routes to it."""

    async def update(request: Request) -> Response:
        try:
            body = parse_body(await read_body(request), empty_ok=False)
        except BodyTooLarge:
            return _error("body_too_large", 413)
        except MalformedBody:
            return _error("malformed_json_payload", 400)
        txt = _text(body.get("txt"))
        outcome = await ctx.acme_updates.update(
            username=request.headers.get("x-api-user", ""),
            key=request.headers.get("x-api-key", ""),
            subdomain=_text(body.get("subdomain")),
            txt=txt,
            source=ctx.caller(request),
        )
        if outcome is AcmeOutcome.OK:
            return JSONResponse({"txt": txt})
        return _error(outcome.value, _STATUS[outcome])

    return update
