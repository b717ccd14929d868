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
from homing.http.api.operations import Call, Operation, list_of, no_content, ok, ref

TAG = "account"


async def get_me(call: Call) -> Response:
    user = await call.api.store.find_user(call.principal.user)
    if user is None:
        raise ApiError("not_found", "your account no longer exists")
    tokens = await call.api.tokens.tokens(user_id=user.id)
    current = next(t for t in tokens if t.id == call.principal.token_id)
    return ok({**render.user(user), "token": render.api_token(current)})


async def list_api_tokens(call: Call) -> Response:
    tokens = await call.api.tokens.tokens(user_id=call.principal.user_id)
    return ok([render.api_token(t) for t in tokens])


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
            summary="Your API tokens (prefixes only).",
            tag=TAG,
            response=list_of("ApiToken"),
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
