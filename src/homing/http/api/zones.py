"""``/zones``: the zones this server is authoritative for. Any user may list them (to know
where hosts can be created); creating, changing and removing them is for administrators."""

from __future__ import annotations

from starlette.responses import Response

from homing.core.admin import DEFAULT_SOA_TTL, MAX_TTL, MIN_TTL
from homing.dnssec.keys import Algorithm
from homing.domain.names import normalize_name
from homing.errors import NameError_
from homing.http.api import render
from homing.http.api.errors import ApiError, about
from homing.http.api.operations import Call, Operation, no_content, ok, ref
from homing.http.api.paging import PAGE_PARAMS, name_cursor, page_answer, page_limit, page_of
from homing.store.rows import ZoneRow

TAG = "zones"


async def _zone(call: Call) -> ZoneRow:
    text = call.path("zone")
    try:
        name = normalize_name(text)
    except NameError_:
        raise ApiError("not_found", f"no zone {text[:80]!r}") from None
    zone = await call.api.store.find_zone(name)
    if zone is None:
        raise ApiError("not_found", f"no zone {name.rstrip('.')}")
    return zone


async def list_zones(call: Call) -> Response:
    query = call.query()
    limit = page_limit(query)
    after = name_cursor(query)
    query.finish()
    page = await call.api.store.zone_page(after=after, limit=limit)
    return page_answer(page, render.zone, key=lambda z: z.name)


async def get_zone(call: Call) -> Response:
    return ok(render.zone(await _zone(call)))


async def create_zone(call: Call) -> Response:
    call.principal.require_admin(write=True)
    body = await call.body()
    name = body.text("name", required=True, max_length=253)
    nameservers = body.texts("nameservers", max_items=13, max_length=253)
    email = body.text("email", max_length=254)
    ttl = body.integer("ttl", low=MIN_TTL, high=MAX_TTL) or DEFAULT_SOA_TTL
    types = body.texts("record_types", max_items=5, max_length=10)
    body.finish()
    assert name is not None
    with about("name"):
        zone = await call.api.admin.add_zone(
            name, nameservers=nameservers or None, email=email, ttl=ttl
        )
    if types:
        zone = await call.api.admin.set_record_types(zone.name, types)
    return ok(render.zone(zone), status=201)


async def update_zone(call: Call) -> Response:
    call.principal.require_admin(write=True)
    zone = await _zone(call)
    body = await call.body()
    types = body.texts("record_types", max_items=5, max_length=10)
    body.finish()
    return ok(render.zone(await call.api.admin.set_record_types(zone.name, types)))


async def delete_zone(call: Call) -> Response:
    call.principal.require_admin(write=True)
    zone = await _zone(call)
    query = call.query()
    force = query.text("force", max_length=5)
    query.finish()
    if force not in {None, "true", "false"}:
        raise ApiError("invalid_value", "force must be true or false", field="force")
    await call.api.admin.remove_zone(zone.name, force=force == "true")
    return no_content()


async def get_dnssec(call: Call) -> Response:
    zone = await _zone(call)
    return ok(render.zone_dnssec(await call.api.dnssec.status(zone.name)))


async def enable_dnssec(call: Call) -> Response:
    """Sign the zone (admins); answers once this server serves it signed."""
    call.principal.require_admin(write=True)
    zone = await _zone(call)
    body = await call.body()
    text = body.text("algorithm", max_length=20) or "ecdsap256sha256"
    body.finish()
    with about("algorithm"):
        algorithm = Algorithm.parse(text)
        status = await call.api.dnssec.enable(zone.name, algorithm)
    return ok(render.zone_dnssec(status), status=201)


async def rollover_dnssec(call: Call) -> Response:
    """Start a key rollover, or (``complete``) say the parent serves the new DS (admins)."""
    call.principal.require_admin(write=True)
    zone = await _zone(call)
    body = await call.body()
    text = body.text("algorithm", max_length=20)
    complete = body.boolean("complete")
    body.finish()
    if complete and text is not None:
        raise ApiError("invalid_value", "algorithm is for starting a rollover", field="algorithm")
    with about("algorithm"):
        algorithm = Algorithm.parse(text) if text is not None else None
    if complete:
        status = await call.api.dnssec.complete(zone.name)
    else:
        status = await call.api.dnssec.rollover(zone.name, algorithm)
    return ok(render.zone_dnssec(status))


async def disable_dnssec(call: Call) -> Response:
    call.principal.require_admin(write=True)
    zone = await _zone(call)
    await call.api.dnssec.disable(zone.name)
    return no_content()


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/zones",
            handler=list_zones,
            operation_id="listZones",
            summary="The zones hosts can be created in, with the record types each allows "
            "(a page at a time by name).",
            tag=TAG,
            response=page_of("Zone"),
            query=PAGE_PARAMS,
            errors=(401, 429),
        ),
        Operation(
            method="POST",
            path="/zones",
            handler=create_zone,
            operation_id="createZone",
            summary="Add a zone (admins).",
            tag=TAG,
            status=201,
            request="ZoneCreate",
            response=ref("Zone"),
            errors=(401, 403, 409, 422, 429),
        ),
        Operation(
            method="GET",
            path="/zones/{zone}",
            handler=get_zone,
            operation_id="getZone",
            summary="Read one zone.",
            tag=TAG,
            response=ref("Zone"),
        ),
        Operation(
            method="PATCH",
            path="/zones/{zone}",
            handler=update_zone,
            operation_id="updateZone",
            summary="Set which record types owners may use (A, AAAA, TXT always; MX, CNAME).",
            tag=TAG,
            request="ZoneUpdate",
            response=ref("Zone"),
        ),
        Operation(
            method="GET",
            path="/zones/{zone}/dnssec",
            handler=get_dnssec,
            operation_id="getZoneDnssec",
            summary="Whether the zone is signed, its algorithm and key tag, and the DS records "
            "to give the parent (never the private key).",
            tag=TAG,
            response=ref("ZoneDnssec"),
        ),
        Operation(
            method="POST",
            path="/zones/{zone}/dnssec",
            handler=enable_dnssec,
            operation_id="enableZoneDnssec",
            summary="Sign the zone online (admins): ecdsap256sha256 (default) or ed25519.",
            tag=TAG,
            status=201,
            request="ZoneDnssecEnable",
            response=ref("ZoneDnssec"),
            errors=(401, 403, 404, 409, 422, 429),
        ),
        Operation(
            method="POST",
            path="/zones/{zone}/dnssec/rollover",
            handler=rollover_dnssec,
            operation_id="rolloverZoneDnssec",
            summary="Roll the zone's key while it is served (admins): a new key (same "
            "algorithm unless `algorithm` is given) published and signing beside the old; with "
            "`complete: true` once the parent serves the new DS, the old key retires.",
            tag=TAG,
            request="ZoneDnssecRollover",
            response=ref("ZoneDnssec"),
            errors=(401, 403, 404, 409, 422, 429),
        ),
        Operation(
            method="DELETE",
            path="/zones/{zone}/dnssec",
            handler=disable_dnssec,
            operation_id="disableZoneDnssec",
            summary="Stop signing the zone (admins); remove the DS at the parent first.",
            tag=TAG,
            status=204,
            errors=(401, 403, 404, 429),
        ),
        Operation(
            method="DELETE",
            path="/zones/{zone}",
            handler=delete_zone,
            operation_id="deleteZone",
            summary="Remove a zone (admins); `?force=true` also removes its hosts.",
            tag=TAG,
            status=204,
            errors=(401, 403, 404, 409, 422, 429),
        ),
    ]
