"""Editing one RRset of a host in the browser: its values, one per line, saved or removed whole.

Changes go through ``HostRecords`` (``core/host_records.py``), the same
path as the REST API's records: one writer transaction with the serial
bump, the journal entry, the history row (front door ``web``) and NOTIFY.
The types offered are A, AAAA and TXT, plus MX and CNAME where the host's
zone allows them; any other type in the path is a 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from homing.core.host_records import ALL_TYPES, MAX_VALUES, shown_value
from homing.domain.records import RecordType
from homing.errors import HomingError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.host_forms import change_source
from homing.http.web.host_page import NOT_FOUND, find_visible_host
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.store.rows import HostRow

HINTS = {
    RecordType.A: "IPv4 addresses, such as 203.0.113.7",
    RecordType.AAAA: "IPv6 addresses, such as 2001:db8::7",
    RecordType.TXT: "Plain text, up to 255 characters per line, no quotes needed",
    RecordType.MX: "Preference and mail server, such as 10 mail.example.net.",
    RecordType.CNAME: "One name this host is an alias of, such as target.example.net.",
}


async def _target(
    site: WebSite, request: Request, viewer: Viewer
) -> tuple[HostRow, str] | Response:
    """The host and record type of the path, or the 404 page when either is not theirs to edit."""
    host = await find_visible_host(site, viewer, request.path_params["fqdn"])
    if host is None:
        return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)
    rtype = request.path_params["rtype"].upper()
    if rtype not in ALL_TYPES or rtype not in await site.ctx.api.records.allowed_types(host):
        message = f"Records of type {rtype[:10]} cannot be set on this host."
        return error_page(site, viewer=viewer, status=404, message=message)
    return host, rtype


async def _page(
    site: WebSite,
    viewer: Viewer,
    host: HostRow,
    rtype: str,
    *,
    values: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    current = [
        rrset
        for rrset in await site.ctx.api.records.rrsets(host)
        if rrset.name == host.fqdn and rrset.rtype == rtype
    ]
    shown = [shown_value(rtype, r) for rrset in current for r in rrset.rdatas]
    name = host.fqdn.rstrip(".")
    return render(
        site,
        "records_edit.html",
        viewer=viewer,
        status=status,
        section="dashboard",
        title=f"{rtype} records of {name}",
        name=name,
        rtype=rtype,
        hint=HINTS[RecordType(rtype)],
        values="\n".join(shown) if values is None else values,
        exists=bool(current),
        ttl=current[0].ttl if current else host.ttl,
        max_values=MAX_VALUES,
        error=error,
    )


async def edit_form(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    target = await _target(site, request, viewer)
    if isinstance(target, Response):
        return target
    return await _page(site, viewer, *target)


async def save_records(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    target = await _target(site, request, viewer)
    if isinstance(target, Response):
        return target
    host, rtype = target
    text = "" if form.get("remove") else form.get("values", "")
    values = [line.strip() for line in text.splitlines() if line.strip()]
    by = change_source(site, request, viewer)
    existing = await site.ctx.store.host_records(host.id)
    try:
        if values:
            await site.ctx.api.records.replace(host, rtype, values, ttl=None, by=by)
        elif any(r.name == host.fqdn and r.rtype == rtype for r in existing):
            await site.ctx.api.records.delete(host, rtype, by=by)
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await _page(site, viewer, host, rtype, values=text, error=str(exc), status=400)
    return redirect(f"/hosts/{host.fqdn.rstrip('.')}?records=1")
