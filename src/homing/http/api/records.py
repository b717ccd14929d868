"""``/hosts/{fqdn}/records``: a host's RRsets, replaced or deleted whole, one type at a time.

Types are A, AAAA and TXT, plus MX and CNAME where the host's zone allows
them (``/zones/{zone}`` ``record_types``); a token scoped to types sees and
touches only those. Changes go through the writer (``core/host_records.py``).
"""

from __future__ import annotations

from starlette.responses import Response

from homing.core.admin import MAX_TTL, MIN_TTL
from homing.core.host_records import ALL_TYPES, MAX_VALUES, ChangeSource
from homing.http.api import render
from homing.http.api.errors import ApiError
from homing.http.api.lookup import visible_host
from homing.http.api.operations import Call, Operation, list_of, no_content, ok, ref

TAG = "records"


def _rtype(call: Call) -> str:
    rtype = call.path("rtype").upper()
    if rtype not in ALL_TYPES:
        raise ApiError("not_found", f"no record type {rtype[:10]!r} (use {', '.join(ALL_TYPES)})")
    if not call.principal.allows_type(rtype):
        raise ApiError("forbidden", f"this token may not touch {rtype} records")
    return rtype


async def list_records(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"))
    rrsets = await call.api.records.rrsets(host)
    return ok([render.rrset(r) for r in rrsets if call.principal.allows_type(r.rtype)])


async def get_record(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"))
    rtype = _rtype(call)
    for rrset in await call.api.records.rrsets(host):
        if rrset.name == host.fqdn and rrset.rtype == rtype:
            return ok(render.rrset(rrset))
    raise ApiError("not_found", f"{host.fqdn.rstrip('.')} has no {rtype} records")


async def put_record(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    rtype = _rtype(call)
    body = await call.body()
    values = body.texts("values", max_items=MAX_VALUES)
    ttl = body.integer("ttl", low=MIN_TTL, high=MAX_TTL)
    body.finish()
    by = ChangeSource(credential=call.principal.credential, source=call.source)
    rrset = await call.api.records.replace(host, rtype, values, ttl=ttl, by=by)
    return ok(render.rrset(rrset))


async def delete_record(call: Call) -> Response:
    host = await visible_host(call, call.path("fqdn"), write=True)
    rtype = _rtype(call)
    by = ChangeSource(credential=call.principal.credential, source=call.source)
    await call.api.records.delete(host, rtype, by=by)
    return no_content()


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/hosts/{fqdn}/records",
            handler=list_records,
            operation_id="listRecords",
            summary="The host's RRsets (its name, its wildcard, its ACME challenge name).",
            tag=TAG,
            response=list_of("RRset"),
        ),
        Operation(
            method="GET",
            path="/hosts/{fqdn}/records/{rtype}",
            handler=get_record,
            operation_id="getRecord",
            summary="One RRset at the host's name.",
            tag=TAG,
            response=ref("RRset"),
        ),
        Operation(
            method="PUT",
            path="/hosts/{fqdn}/records/{rtype}",
            handler=put_record,
            operation_id="putRecord",
            summary="Replace the RRset (serial bump, journal, history, NOTIFY, as every change).",
            tag=TAG,
            request="RRsetPut",
            response=ref("RRset"),
            errors=(401, 403, 404, 409, 422, 429),
        ),
        Operation(
            method="DELETE",
            path="/hosts/{fqdn}/records/{rtype}",
            handler=delete_record,
            operation_id="deleteRecord",
            summary="Remove the RRset.",
            tag=TAG,
            status=204,
        ),
    ]
