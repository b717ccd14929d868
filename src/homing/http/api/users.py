"""``/users``: accounts, managed by administrators (the web UI adds self-registration later)."""

from __future__ import annotations

from starlette.responses import Response

from homing.core.admin import USER_NAME
from homing.http.api import render
from homing.http.api.errors import ApiError, about
from homing.http.api.operations import Call, Operation, no_content, ok, ref
from homing.http.api.paging import PAGE_PARAMS, name_cursor, page_answer, page_limit, page_of
from homing.store.rows import UserRow

TAG = "users"


async def _user(call: Call) -> UserRow:
    name = call.path("name")
    user = await call.api.store.find_user(name) if len(name) <= 64 else None
    if user is None:
        raise ApiError("not_found", f"no user {name[:64]!r}")
    return user


async def list_users(call: Call) -> Response:
    call.principal.require_admin(write=False)
    query = call.query()
    limit = page_limit(query)
    after = name_cursor(query)
    query.finish()
    page = await call.api.store.user_page(after=after, limit=limit)
    return page_answer(page, render.user, key=lambda u: u.name)


async def get_user(call: Call) -> Response:
    call.principal.require_admin(write=False)
    return ok(render.user(await _user(call)))


async def create_user(call: Call) -> Response:
    call.principal.require_admin(write=True)
    body = await call.body()
    name = body.text("name", required=True, max_length=64)
    password = body.text("password", max_length=1024)
    admin = body.boolean("admin") or False
    body.finish()
    assert name is not None
    if not USER_NAME.fullmatch(name):
        raise ApiError(
            "invalid_value", "a user name has 1-64 letters, digits or . _ @ + -", field="name"
        )
    with about("password"):
        user = await call.api.admin.add_user(name, password=password, admin=admin)
    return ok(render.user(user), status=201)


async def delete_user(call: Call) -> Response:
    call.principal.require_admin(write=True)
    user = await _user(call)
    if user.id == call.principal.user_id:
        raise ApiError("conflict", "you cannot remove your own account")
    await call.api.admin.remove_user(user.name)
    return no_content()


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/users",
            handler=list_users,
            operation_id="listUsers",
            summary="Accounts by name, a page at a time (admins).",
            tag=TAG,
            response=page_of("User"),
            query=PAGE_PARAMS,
            errors=(401, 403, 429),
        ),
        Operation(
            method="POST",
            path="/users",
            handler=create_user,
            operation_id="createUser",
            summary="Create an account (admins); without a password it signs in by token only.",
            tag=TAG,
            status=201,
            request="UserCreate",
            response=ref("User"),
            errors=(401, 403, 409, 422, 429),
        ),
        Operation(
            method="GET",
            path="/users/{name}",
            handler=get_user,
            operation_id="getUser",
            summary="Read one account (admins).",
            tag=TAG,
            response=ref("User"),
        ),
        Operation(
            method="DELETE",
            path="/users/{name}",
            handler=delete_user,
            operation_id="deleteUser",
            summary="Remove an account with its hosts and tokens (admins).",
            tag=TAG,
            status=204,
            errors=(401, 403, 404, 409, 422, 429),
        ),
    ]
