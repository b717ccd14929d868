"""``/hosts``: the names a user owns — list, create (with a first update token), read,
change TTL, notes and IPv6 prefix settings, delete."""

from __future__ import annotations

from starlette.responses import Response

from homing.core.admin import (
    DEFAULT_HOST_TTL,
    MAX_HOSTS_PER_CALL,
    MAX_NOTES_LENGTH,
    MAX_TTL,
    MIN_TTL,
    NewHost,
)
from homing.core.host_edits import UpdateMeta
from homing.core.host_records import ChangeSource
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.outcomes import FrontDoor
from homing.errors import NotFoundError
from homing.http.api import render
from homing.http.api.errors import ApiError, about
from homing.http.api.lookup import visible_host
from homing.http.api.operations import Call, Operation, Param, no_content, ok, ref
from homing.http.api.paging import PAGE_PARAMS, name_cursor, page_answer, page_limit, page_of
from homing.http.api.parsing import Fields
from homing.store.pages import HostFilter

TAG = "hosts"


async def list_hosts(call: Call) -> Response:
    """One page of the hosts the caller may see, by name; ``q`` and ``owner`` narrow it."""
    query = call.query()
    owner = query.text("owner", max_length=64)
    contains = query.text("q", max_length=253)
    limit = page_limit(query)
    after = name_cursor(query)
    query.finish()
    owner_id: int | None = None if call.principal.is_admin else call.principal.user_id
    if owner is not None:
        user = await call.api.store.find_user(owner)
        if user is None or (owner_id is not None and user.id != owner_id):
            return ok(
                {"items": [], "next_cursor": None}
            )  # nobody's hosts, or not the caller's to see
        owner_id = user.id
    scope = call.principal.scope.hosts
    where = HostFilter(
        owner_id=owner_id,
        names=tuple(scope) if scope else None,
        contains=contains.strip().rstrip(".") if contains else None,
        after=after,
    )
    page = await call.api.store.host_page(where, limit=limit)
    return page_answer(page, render.host, key=lambda h: h.fqdn)


async def create_host(call: Call) -> Response:
    """One host (``{"name": ...}``), or several (``{"hosts": [{"name": ...}, ...]}``, all or
    none): each answer carries the host's first update token."""
    call.principal.require_full("create hosts")
    body = await call.body()
    if body.present("hosts"):
        items = body.objects("hosts", max_items=MAX_HOSTS_PER_CALL)
        body.finish()
        wanted = [await _new_host(call, item, field=f"hosts[{i}]") for i, item in enumerate(items)]
    else:
        wanted = [await _new_host(call, body, field="")]
    try:
        with about("hosts" if len(wanted) > 1 or body.present("hosts") else "name"):
            created = await call.api.admin.create_hosts(wanted)
    except NotFoundError as exc:
        raise ApiError("invalid_value", str(exc), field="name") from None
    answers = [{**render.host(host), "update_token": token} for host, token in created]
    if body.present("hosts"):
        return ok({"hosts": answers}, status=201)
    return ok(answers[0], status=201)


async def _new_host(call: Call, fields: Fields, *, field: str) -> NewHost:
    prefix = f"{field}." if field else ""
    try:
        name = fields.text("name", required=True, max_length=253)
        ttl = fields.integer("ttl", low=MIN_TTL, high=MAX_TTL) or DEFAULT_HOST_TTL
        notes = fields.text("notes", max_length=MAX_NOTES_LENGTH) or ""
        owner = fields.text("owner", max_length=64) or call.principal.user
        fields.finish()
    except ApiError as exc:
        if exc.field is not None:
            exc.field = prefix + exc.field
        raise
    assert name is not None
    if owner != call.principal.user:
        if not call.principal.is_admin:
            raise ApiError("forbidden", "only administrators create hosts for other users")
        if await call.api.store.find_user(owner) is None:
            raise ApiError("invalid_value", f"no user {owner}", field=prefix + "owner")
    return NewHost(fqdn=name, owner=owner, ttl=ttl, notes=notes)


async def get_host(call: Call) -> Response:
    return ok(render.host(await visible_host(call, call.path("fqdn"))))


async def update_host(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    body = await call.body()
    ttl = body.integer("ttl", low=MIN_TTL, high=MAX_TTL)
    notes = body.text("notes", max_length=MAX_NOTES_LENGTH)
    ipv6 = Ipv6SettingsChange(
        interface_id=body.text("ipv6_interface_id", max_length=45),
        prefix_length=body.integer("ipv6_prefix_length", low=1, high=128),
        follows=body.text("follows", max_length=253),
    )
    body.finish()
    if ttl is not None and call.principal.scope.types:
        raise ApiError("forbidden", "a token scoped to record types cannot change the host TTL")
    if ipv6.follows and ipv6.follows.strip():
        leader = ipv6.follows.strip()
        if "." not in leader.rstrip("."):
            leader = f"{leader}.{host.zone}"  # a bare label: a host of the same zone
        try:
            await visible_host(call, leader)
        except ApiError:
            raise ApiError(
                "invalid_value", f"no host {ipv6.follows.strip()[:80]!r} to follow", field="follows"
            ) from None
    with about("ipv6_interface_id" if ipv6.interface_id else "notes"):
        updated = await call.api.admin.update_host(
            host.fqdn,
            ttl=ttl,
            notes=notes,
            ipv6=ipv6 if ipv6 != Ipv6SettingsChange() else None,
            by=UpdateMeta(
                credential=call.principal.credential, source=call.source, front_door=FrontDoor.API
            ),
        )
    if ttl is not None and ttl != host.ttl:
        by = ChangeSource(credential=call.principal.credential, source=call.source)
        await call.api.records.retime(updated, ttl, by=by)
    return ok(render.host(updated))


async def delete_host(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    if call.principal.scope.types:
        raise ApiError("forbidden", "a token scoped to record types cannot delete hosts")
    await call.api.admin.remove_host(host.fqdn)
    return no_content()


def operations() -> list[Operation]:
    owner = Param(
        name="owner", description="Only this user's hosts (admins).", schema={"type": "string"}
    )
    contains = Param(
        name="q",
        description="Only hosts whose name contains this text (case-insensitive).",
        schema={"type": "string", "maxLength": 253},
    )
    return [
        Operation(
            method="GET",
            path="/hosts",
            handler=list_hosts,
            operation_id="listHosts",
            summary="The hosts you may see (all of them for admins), a page at a time by name.",
            tag=TAG,
            response=page_of("Host"),
            query=(contains, owner, *PAGE_PARAMS),
        ),
        Operation(
            method="POST",
            path="/hosts",
            handler=create_host,
            operation_id="createHost",
            summary="Create a host, or several at once (`hosts`, all or none); each answer "
            "carries the host's first update token (shown once).",
            tag=TAG,
            status=201,
            request="HostCreateRequest",
            response={"oneOf": [ref("HostCreated"), ref("HostsCreated")]},
            errors=(401, 403, 409, 422, 429),
        ),
        Operation(
            method="GET",
            path="/hosts/{fqdn}",
            handler=get_host,
            operation_id="getHost",
            summary="Read one host.",
            tag=TAG,
            response=ref("Host"),
        ),
        Operation(
            method="PATCH",
            path="/hosts/{fqdn}",
            handler=update_host,
            operation_id="updateHost",
            summary="Change a host's TTL (its records follow), notes, or IPv6 prefix settings "
            "(interface identifier, prefix length, the host whose prefix it follows).",
            tag=TAG,
            request="HostUpdate",
            response=ref("Host"),
        ),
        Operation(
            method="DELETE",
            path="/hosts/{fqdn}",
            handler=delete_host,
            operation_id="deleteHost",
            summary="Delete a host with its records and update tokens.",
            tag=TAG,
            status=204,
        ),
    ]
