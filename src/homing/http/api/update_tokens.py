"""``/hosts/{fqdn}/tokens``: the update tokens a router or script uses for one host.

Only their prefixes are listed; a new token's secret is in the creation
answer and nowhere else (stored as SHA-256, ``core/credentials.py``).
"""

from __future__ import annotations

from starlette.responses import Response

from homing.http.api import render
from homing.http.api.errors import ApiError, about
from homing.http.api.lookup import visible_host
from homing.http.api.operations import Call, Operation, no_content, ok, ref
from homing.http.api.paging import PAGE_PARAMS, id_cursor, page_answer, page_limit, page_of

TAG = "update tokens"


def _require_untyped(call: Call) -> None:
    call.principal.require_write()
    if call.principal.scope.types:
        raise ApiError("forbidden", "a token scoped to record types cannot manage update tokens")


def _require_lasting(call: Call) -> None:
    """Update tokens never expire, so an expiring API token may not create one (it would
    outlive its parent)."""
    if call.principal.expires_at is not None:
        raise ApiError(
            "forbidden",
            "an expiring API token cannot create update tokens (they do not expire); "
            "use a token without an expiry or the web UI",
        )


async def list_tokens(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"))
    query = call.query()
    limit = page_limit(query)
    after = id_cursor(query)
    query.finish()
    page = await call.api.store.token_page(host_id=host.id, after=after, limit=limit)
    return page_answer(page, render.update_token, key=lambda t: t.id)


async def create_token(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    _require_untyped(call)
    _require_lasting(call)
    body = await call.body()
    label = body.text("label", max_length=100) or ""
    body.finish()
    with about("label"):
        row, secret = await call.api.admin.create_token(host=host.fqdn, label=label)
    return ok({**render.update_token(row), "token": secret}, status=201)


async def revoke_token(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    _require_untyped(call)
    token_id = call.path_id("token_id")
    token = await call.api.store.find_token_by_id(token_id)
    if token is None or token.host_id != host.id:
        raise ApiError("not_found", f"no update token {token_id} of {host.fqdn.rstrip('.')}")
    await call.api.admin.revoke_token(token_id)
    return no_content()


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/hosts/{fqdn}/tokens",
            handler=list_tokens,
            operation_id="listUpdateTokens",
            summary="The host's update tokens (prefixes only), oldest first, a page at a time.",
            tag=TAG,
            response=page_of("UpdateToken"),
            query=PAGE_PARAMS,
        ),
        Operation(
            method="POST",
            path="/hosts/{fqdn}/tokens",
            handler=create_token,
            operation_id="createUpdateToken",
            summary="Create an update token for the host; the secret is shown once.",
            tag=TAG,
            status=201,
            request="UpdateTokenCreate",
            response=ref("UpdateTokenCreated"),
        ),
        Operation(
            method="DELETE",
            path="/hosts/{fqdn}/tokens/{token_id}",
            handler=revoke_token,
            operation_id="revokeUpdateToken",
            summary="Revoke one of the host's update tokens.",
            tag=TAG,
            status=204,
        ),
    ]
