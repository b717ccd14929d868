"""Creating a host, changing its TTL, notes and IPv6 prefix settings, and deleting it (after
a confirmation step).

The same core use cases as the REST API's ``/hosts``: ``Admin.add_host``
(which makes the first update token, shown once on the page that answers
the POST), ``Admin.update_host`` with ``HostRecords.retime`` so the records
follow a new TTL through the writer, and ``Admin.remove_host``, whose
records leave DNS through the journal. Any zone may be used for now, as the
API allows. Deleting asks for the host's name to be typed, so a slip of the
finger on a phone cannot remove a name somebody's router depends on.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import DEFAULT_HOST_TTL, MAX_NOTES_LENGTH, MAX_TTL, MIN_TTL
from homing.core.host_edits import UpdateMeta
from homing.core.host_records import ChangeSource
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.outcomes import FrontDoor
from homing.errors import HomingError, InputError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.host_page import NOT_FOUND, find_visible_host, host_view
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.store.rows import HostRow

MAX_LABEL_CHARS = 63
MAX_SUGGESTED_OWNERS = 100


def change_source(site: WebSite, request: Request, viewer: Viewer) -> ChangeSource:
    """The history's "who" for a change made in the browser."""
    return ChangeSource(
        credential=f"session:{viewer.user.name}",
        source=site.ctx.caller(request),
        front_door=FrontDoor.WEB,
    )


def parse_ttl(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not MIN_TTL <= int(value) <= MAX_TTL:
        raise InputError(f"the TTL is a whole number of seconds from {MIN_TTL} to {MAX_TTL}")
    return int(value)


async def _new_host_page(
    site: WebSite,
    viewer: Viewer,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    users: list[str] = []
    if viewer.is_admin:  # suggestions only: any account's name may be typed
        page = await site.ctx.store.user_page(after=None, limit=MAX_SUGGESTED_OWNERS)
        users = [u.name for u in page.items]
    return render(
        site,
        "host_new.html",
        viewer=viewer,
        status=status,
        section="dashboard",
        title="Add a host",
        zones=[z.name.rstrip(".") for z in await site.ctx.store.zones()],
        users=users,
        form=form or {"ttl": str(DEFAULT_HOST_TTL), "owner": viewer.user.name},
        error=error,
        max_notes=MAX_NOTES_LENGTH,
        min_ttl=MIN_TTL,
        max_ttl=MAX_TTL,
    )


async def _within_zone(site: WebSite, label: str, zone: str) -> str:
    """The name typed before the zone picker, without the zone if it was typed too.

    ``nas.ddns.test`` typed next to ``ddns.test`` means ``nas``, not
    ``nas.ddns.test.ddns.test`` (issue 15); a name that ends in another of our
    zones is refused with the way out, rather than nested below this one.
    """
    if label == zone:
        raise InputError(f"type the name before .{zone}, such as home")
    if label.endswith(f".{zone}"):
        return label.removesuffix(f".{zone}")
    labels = label.split(".")
    for i in range(1, len(labels)):
        other = ".".join(labels[i:])
        if await site.ctx.store.find_zone(other + ".") is not None:
            raise InputError(
                f"{label} is in the zone {other}: choose that zone and type {'.'.join(labels[:i])}"
            )
    return label


async def new_host_form(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    return await _new_host_page(site, viewer)


async def create_host(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    label = form.get("label", "").strip().strip(".").lower()
    zone = form.get("zone", "").strip().strip(".").lower()
    owner = form.get("owner", "").strip() if viewer.is_admin else ""
    notes = form.get("notes", "").strip()
    try:
        if not label or len(label) > MAX_LABEL_CHARS * 4:
            raise InputError("give the host a name, such as home")
        if await site.ctx.store.find_zone(zone + ".") is None:
            raise InputError("choose one of the zones")
        label = await _within_zone(site, label, zone)
        if len(notes) > MAX_NOTES_LENGTH:
            raise InputError(f"notes have at most {MAX_NOTES_LENGTH} characters")
        ttl = parse_ttl(form.get("ttl", str(DEFAULT_HOST_TTL)))
        host, token = await site.admin.add_host(
            f"{label}.{zone}", owner=owner or viewer.user.name, ttl=ttl
        )
        if notes:
            host = await site.admin.update_host(host.fqdn, notes=notes)
        site.counts.clear()  # the dashboard's counts include the new host at once
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await _new_host_page(site, viewer, form=form, error=str(exc), status=400)
    name = host.fqdn.rstrip(".")
    notice = f"{name} is yours. Its first update token is below."
    shown = {"token": token, "notice": notice}
    return redirect(await site.shown.location(f"/hosts/{name}", viewer.user.id, shown))


async def _visible_or_404(site: WebSite, request: Request, viewer: Viewer) -> HostRow | Response:
    host = await find_visible_host(site, viewer, request.path_params["fqdn"])
    if host is None:
        return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)
    return host


async def save_settings(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    host = await _visible_or_404(site, request, viewer)
    if isinstance(host, Response):
        return host
    try:
        ttl = parse_ttl(form.get("ttl", ""))
        updated = await site.admin.update_host(
            host.fqdn, ttl=ttl, notes=form.get("notes", "").strip()
        )
        if ttl != host.ttl:
            await site.ctx.api.records.retime(updated, ttl, by=change_source(site, request, viewer))
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await host_view(site, request, viewer, host, error=str(exc), status=400)
    return redirect(f"/hosts/{host.fqdn.rstrip('.')}?saved=1#settings")


async def save_ipv6(site: WebSite, request: Request) -> Response:
    """The host page's IPv6 form: interface identifier, prefix length, the host it follows."""
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    host = await _visible_or_404(site, request, viewer)
    if isinstance(host, Response):
        return host
    length = form.get("ipv6_prefix_length", "").strip()
    try:
        if not length.isdigit() or len(length) > 3:
            raise InputError("the prefix length is a whole number from 1 to 128")
        change = Ipv6SettingsChange(
            interface_id=form.get("ipv6_interface_id", "")[:45],
            prefix_length=int(length),
            follows=form.get("follows", "")[:253],
        )
        by = change_source(site, request, viewer)
        await site.admin.update_host(
            host.fqdn,
            ipv6=change,
            by=UpdateMeta(credential=by.credential, source=by.source, front_door=by.front_door),
        )
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return await host_view(site, request, viewer, host, error=str(exc), status=400)
    return redirect(f"/hosts/{host.fqdn.rstrip('.')}?ipv6=1#ipv6")


def _confirm_page(
    site: WebSite, viewer: Viewer, host: HostRow, *, error: str | None = None, status: int = 200
) -> Response:
    name = host.fqdn.rstrip(".")
    return render(
        site,
        "confirm_delete.html",
        viewer=viewer,
        status=status,
        section="dashboard",
        title=f"Delete {name}",
        what=name,
        action=f"/hosts/{name}/delete",
        back=f"/hosts/{name}",
        consequences=[
            "Its records leave DNS at once: the name stops resolving.",
            "Its update tokens stop working.",
            "Its history stays in the audit log.",
        ],
        error=error,
    )


async def delete_form(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    host = await _visible_or_404(site, request, viewer)
    if isinstance(host, Response):
        return host
    return _confirm_page(site, viewer, host)


async def delete_host(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    host = await _visible_or_404(site, request, viewer)
    if isinstance(host, Response):
        return host
    name = host.fqdn.rstrip(".")
    if form.get("confirm", "").strip().rstrip(".").lower() != name:
        error = f"Type {name} to confirm; nothing was deleted."
        return _confirm_page(site, viewer, host, error=error, status=400)
    await site.admin.remove_host(host.fqdn)
    site.counts.clear()
    return redirect("/?deleted=1")
