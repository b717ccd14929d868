"""``/me``: the caller's own account, and the API tokens they create and revoke themselves.

Creating or revoking an API token needs a token that is neither read-only
nor scoped, so a narrowed token can never mint a broader one; and a token
it creates ends no later than it does.
"""

from __future__ import annotations

from starlette.responses import Response

from homing.core.api_tokens import MAX_TOKEN_NAME, TokenScope, parse_lifetime
from homing.domain.records import RecordType
from homing.http.api import render
from homing.http.api.errors import ApiError
from homing.http.api.operations import Call, Operation, no_content, ok, ref
from homing.http.api.paging import PAGE_PARAMS, id_cursor, page_answer, page_limit, page_of

TAG = "account"


async def get_me(call: Call) -> Response:
    user = await call.api.store.find_user(call.principal.user)
    if user is None:
        raise ApiError("not_found", "your account no longer exists")
    current = await call.api.store.find_api_token_by_id(call.principal.token_id)
    if current is None:
        raise ApiError("not_found", "your token no longer exists")
    return ok({**render.user(user), "token": render.api_token(current)})


async def list_api_tokens(call: Call) -> Response:
    query = call.query()
    limit = page_limit(query)
    after = id_cursor(query)
    query.finish()
    page = await call.api.store.api_token_page(
        user_id=call.principal.user_id, after=after, limit=limit
    )
    return page_answer(page, render.api_token, key=lambda t: t.id)


async def create_api_token(call: Call) -> Response:
    call.principal.require_full("create API tokens")
    body = await call.body()
    name = body.text("name", required=True, max_length=MAX_TOKEN_NAME)
    expires_in = body.text("expires_in", max_length=20)
    read_only = body.boolean("read_only") or False
    hosts = body.texts("hosts", max_length=253)
    types = body.texts("types", max_items=len(RecordType), max_length=10)
    body.finish()
    assert name is not None
    row, secret = await call.api.tokens.create(
        user=call.principal.user,
        name=name,
        lifetime=parse_lifetime(expires_in) if expires_in is not None else None,
        scope=TokenScope(read_only=read_only, hosts=tuple(hosts), types=tuple(types)),
        not_after=call.principal.expires_at,
    )
    return ok({**render.api_token(row), "token": secret}, status=201)


async def revoke_api_token(call: Call) -> Response:
    call.principal.require_full("revoke API tokens")
    await call.api.tokens.revoke(call.path_id("token_id"), user_id=call.principal.user_id)
    return no_content()


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/me",
            handler=get_me,
            operation_id="getMe",
            summary="Your account and the token you are using.",
            tag=TAG,
            response=ref("Me"),
            errors=(401, 429),
        ),
        Operation(
            method="GET",
            path="/me/tokens",
            handler=list_api_tokens,
            operation_id="listApiTokens",
            summary="Your API tokens (prefixes only), oldest first, a page at a time.",
            tag=TAG,
            response=page_of("ApiToken"),
            query=PAGE_PARAMS,
            errors=(401, 429),
        ),
        Operation(
            method="POST",
            path="/me/tokens",
            handler=create_api_token,
            operation_id="createApiToken",
            summary="Create an API token (optionally expiring, read-only, scoped); shown once.",
            tag=TAG,
            status=201,
            request="ApiTokenCreate",
            response=ref("ApiTokenCreated"),
            errors=(401, 403, 422, 429),
        ),
        Operation(
            method="DELETE",
            path="/me/tokens/{token_id}",
            handler=revoke_api_token,
            operation_id="revokeApiToken",
            summary="Revoke one of your API tokens.",
            tag=TAG,
            status=204,
        ),
    ]
