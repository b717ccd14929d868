"""The administrators' users page: list, create (with a password or an invitation link), delete.

Everyone else gets a 404 for every path here, as for a page that does not
exist: the admin pages are not advertised to users who cannot use them.
A user created without a password gets an invitation link (``invitations``)
shown once on the answer page for the admin to pass on; a user who has not
yet chosen a password can be given a fresh link when the first expired.
Deleting asks for the user's name to be typed and takes their hosts with
them (``Admin.remove_user``); an admin cannot delete their own account.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import MIN_PASSWORD_LENGTH
from homing.errors import HomingError, InputError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.invitations import account_state
from homing.http.web.rendering import error_page, redirect, render
from homing.http.web.site import Viewer, WebSite
from homing.store.rows import UserRow

NOT_FOUND = "There is no such page."
PAGE_SIZE = 100
MAX_NAME_LENGTH = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class UserLine:
    user: UserRow
    hosts: int

    @property
    def invited(self) -> bool:
        """Made without a password, which the user has not chosen yet."""
        return self.user.password_hash is None


def invitation_url(site: WebSite, request: Request, user: UserRow) -> str:
    token = site.invitations.issue(
        user_id=user.id, user=user.name, state=account_state(user), now=time.time()
    )
    base = (site.ctx.settings.public_url or str(request.base_url)).rstrip("/")
    return f"{base}/invite/{token}"


async def require_admin(site: WebSite, request: Request) -> Viewer | Response:
    """The viewer if an administrator; anyone else gets the 404 of a page that is not there."""
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response) or viewer.is_admin:
        return viewer
    return error_page(site, viewer=viewer, status=404, message=NOT_FOUND)


async def admin_form(site: WebSite, request: Request) -> tuple[Viewer, dict[str, str]] | Response:
    """An administrator's form, CSRF-checked; anyone else gets this page's 404."""
    checked = await require_form(site, request)
    if isinstance(checked, Response) or checked[0].is_admin:
        return checked
    return error_page(site, viewer=checked[0], status=404, message=NOT_FOUND)


async def _page(
    site: WebSite,
    viewer: Viewer,
    *,
    notice: str | None = None,
    error: str | None = None,
    invitation: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
    after: str | None = None,
    status: int = 200,
) -> Response:
    """A page of ``PAGE_SIZE`` accounts by name after ``after``: a provider may have many."""
    store = site.ctx.store
    page = await store.user_page(after=after, limit=PAGE_SIZE)
    counts = await store.host_counts([u.id for u in page.items])
    lines = [UserLine(user=u, hosts=counts.get(u.id, 0)) for u in page.items]
    more = page.more and page.items
    next_page = "/admin/users?" + urlencode({"after": page.items[-1].name}) if more else None
    return render(
        site,
        "users.html",
        viewer=viewer,
        status=status,
        section="users",
        title="Users",
        lines=lines,
        total=await store.count_users(),
        first_page="/admin/users" if after else None,
        next_page=next_page,
        notice=notice,
        error=error,
        invitation=invitation,
        form=form or {},
        min_length=MIN_PASSWORD_LENGTH,
        invitation_days=site.invitations.lifetime_seconds // 86400,
        self_registration=site.ctx.settings.web_self_registration,
    )


async def users_page(site: WebSite, request: Request) -> Response:
    viewer = await require_admin(site, request)
    if isinstance(viewer, Response):
        return viewer
    shown = await site.shown.taken(request, viewer.user.id)
    invited = shown.get("invitation")
    notice = "User deleted." if request.query_params.get("deleted") else None
    if isinstance(shown.get("notice"), str):
        notice = str(shown["notice"])
    invitation = (
        (str(invited[0]), str(invited[1]))
        if isinstance(invited, list) and len(invited) == 2
        else None
    )
    after = request.query_params.get("after", "")[:MAX_NAME_LENGTH] or None
    return await _page(site, viewer, notice=notice, invitation=invitation, after=after)


async def create_user(site: WebSite, request: Request) -> Response:
    checked = await admin_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    name = form.get("name", "").strip()
    password = form.get("password", "")
    try:
        if password and password != form.get("repeat_password"):
            raise InputError("the two passwords differ")
        user = await site.admin.add_user(
            name, password=password or None, admin=form.get("admin") == "1"
        )
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        kept = {"name": name, "admin": form.get("admin", "")}
        return await _page(site, viewer, error=str(exc), form=kept, status=400)
    if password:
        shown: dict[str, object] = {"notice": f"{user.name} can sign in now."}
    else:
        shown = {"invitation": (user.name, invitation_url(site, request, user))}
    return redirect(await site.shown.location("/admin/users", viewer.user.id, shown))


async def new_invitation(site: WebSite, request: Request) -> Response:
    checked = await admin_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    user = await site.ctx.store.find_user(request.path_params["name"])
    if user is None:
        return error_page(site, viewer=viewer, status=404, message="There is no such user.")
    if user.password_hash is not None:
        error = f"{user.name} has chosen a password already; they can change it on their account."
        return await _page(site, viewer, error=error, status=400)
    shown = {"invitation": (user.name, invitation_url(site, request, user))}
    return redirect(await site.shown.location("/admin/users", viewer.user.id, shown))


def _confirm_page(
    site: WebSite, viewer: Viewer, user: UserRow, *, error: str | None = None, status: int = 200
) -> Response:
    return render(
        site,
        "confirm_delete.html",
        viewer=viewer,
        status=status,
        section="users",
        title=f"Delete {user.name}",
        what=user.name,
        action=f"/admin/users/{user.name}/delete",
        back="/admin/users",
        consequences=[
            "The account can no longer sign in.",
            "Every host of the account is deleted: its names stop resolving.",
            "Its update tokens and API tokens stop working.",
        ],
        error=error,
    )


async def _deletable(site: WebSite, request: Request, viewer: Viewer) -> UserRow | Response:
    user = await site.ctx.store.find_user(request.path_params["name"])
    if user is None:
        return error_page(site, viewer=viewer, status=404, message="There is no such user.")
    if user.id == viewer.user.id:
        error = "You cannot delete your own account here; ask another administrator."
        return await _page(site, viewer, error=error, status=400)
    return user


async def delete_form(site: WebSite, request: Request) -> Response:
    viewer = await require_admin(site, request)
    if isinstance(viewer, Response):
        return viewer
    user = await _deletable(site, request, viewer)
    if isinstance(user, Response):
        return user
    return _confirm_page(site, viewer, user)


async def delete_user(site: WebSite, request: Request) -> Response:
    checked = await admin_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    user = await _deletable(site, request, viewer)
    if isinstance(user, Response):
        return user
    if form.get("confirm", "").strip() != user.name:
        error = f"Type {user.name} to confirm; nothing was deleted."
        return _confirm_page(site, viewer, user, error=error, status=400)
    await site.admin.remove_user(user.name)
    site.counts.clear()  # their hosts went with them
    return redirect("/admin/users?deleted=1")
