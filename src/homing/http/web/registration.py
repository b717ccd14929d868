"""Getting an account without the CLI: accepting an invitation, or signing up when that is on.

Both end the same way: the person has chosen a password and is signed in.
Neither page has a session yet, so their forms are protected like the
sign-in form (a signed nonce in a short-lived cookie). An invitation link
(``invitations``) works until it expires or a password has been chosen
with it. Sign-up exists only while the setting ``web_self_registration``
is on; otherwise ``/signup`` answers 404 like any unknown page. New
accounts are never administrators.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from homing.core.admin import MIN_PASSWORD_LENGTH
from homing.errors import ConflictError, HomingError, InputError, StoreError
from homing.http.web.access import (
    CSRF_FIELD,
    CSRF_MESSAGE,
    LOGIN_COOKIE,
    LOGIN_COOKIE_SECONDS,
    set_cookie,
    set_session_cookie,
)
from homing.http.web.invitations import Invitation, InvitationProblem, account_state
from homing.http.web.rendering import error_page, read_form, redirect, render
from homing.http.web.site import WebSite
from homing.store.rows import UserRow

LINK_PROBLEMS = {
    InvitationProblem.INVALID: "This invitation link is not valid. Check that it was copied whole.",
    InvitationProblem.EXPIRED: "This invitation link has expired. Ask for a new one.",
    InvitationProblem.USED: (
        "This invitation link has been used already. Sign in with the password chosen then."
    ),
}


def _form_page(
    site: WebSite,
    request: Request,
    *,
    action: str,
    user: str | None,
    name: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The choose-a-password form; ``user`` is fixed for an invitation, typed for a sign-up."""
    nonce = request.cookies.get(LOGIN_COOKIE) or site.codec.new_login_nonce()
    response = render(
        site,
        "choose_password.html",
        viewer=None,
        status=status,
        title="Welcome" if user else "Sign up",
        csrf=site.codec.login_csrf_token(nonce),
        action=action,
        user=user,
        name=name,
        error=error,
        min_length=MIN_PASSWORD_LENGTH,
    )
    set_cookie(site, request, response, LOGIN_COOKIE, nonce, max_age=LOGIN_COOKIE_SECONDS)
    return response


async def _checked_form(site: WebSite, request: Request) -> dict[str, str] | Response:
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_COOKIE)
    if form is None or not site.codec.check_login_csrf(nonce, form.get(CSRF_FIELD)):
        return error_page(site, viewer=None, status=403, message=CSRF_MESSAGE)
    return form


def _new_password(form: dict[str, str]) -> str:
    password = form.get("password", "")
    if password != form.get("repeat_password"):
        raise InputError("the two passwords differ")
    return password


def _signed_in(site: WebSite, request: Request, user: UserRow) -> Response:
    cookie, _ = site.codec.issue(
        user_id=user.id, user=user.name, password_hash=user.password_hash, now=time.time()
    )
    response = redirect("/?welcome=1")
    set_session_cookie(site, request, response, cookie)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def _invitation(site: WebSite, token: str) -> tuple[Invitation, UserRow] | InvitationProblem:
    found = site.invitations.read(token, now=time.time())
    if not isinstance(found, Invitation):
        return found
    user = await site.ctx.store.find_user(found.user)
    if user is None:
        return InvitationProblem.INVALID
    if not site.invitations.still_open(found, user_id=user.id, state=account_state(user)):
        return InvitationProblem.USED
    return found, user


def _link_problem(site: WebSite, problem: InvitationProblem) -> Response:
    return error_page(site, viewer=None, status=404, message=LINK_PROBLEMS[problem])


async def invitation_form(site: WebSite, request: Request) -> Response:
    token = request.path_params["token"]
    found = await _invitation(site, token)
    if isinstance(found, InvitationProblem):
        return _link_problem(site, found)
    return _form_page(site, request, action=f"/invite/{token}", user=found[1].name)


async def accept_invitation(site: WebSite, request: Request) -> Response:
    form = await _checked_form(site, request)
    if isinstance(form, Response):
        return form
    token = request.path_params["token"]
    found = await _invitation(site, token)
    if isinstance(found, InvitationProblem):
        return _link_problem(site, found)
    user = found[1]
    try:
        await site.admin.set_first_password(user.name, _new_password(form))
    except ConflictError:
        return _link_problem(site, InvitationProblem.USED)
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        action = f"/invite/{token}"
        return _form_page(site, request, action=action, user=user.name, error=str(exc), status=400)
    fresh = await site.ctx.store.find_user(user.name)
    if fresh is None:
        return _link_problem(site, InvitationProblem.INVALID)
    return _signed_in(site, request, fresh)


def _signup_closed(site: WebSite) -> Response | None:
    if site.ctx.settings.web_self_registration:
        return None
    return error_page(site, viewer=None, status=404, message="There is no such page.")


async def signup_form(site: WebSite, request: Request) -> Response:
    return _signup_closed(site) or _form_page(site, request, action="/signup", user=None)


async def signup(site: WebSite, request: Request) -> Response:
    closed = _signup_closed(site)
    if closed is not None:
        return closed
    source = site.ctx.caller(request) or "unknown"
    if site.signups.exceeded(source):
        message = "Too many sign-ups from your address. Try again in an hour."
        return error_page(site, viewer=None, status=429, message=message)
    form = await _checked_form(site, request)
    if isinstance(form, Response):
        return form
    site.signups.count(source)
    name = form.get("user", "").strip()
    try:
        user = await site.admin.add_user(name, password=_new_password(form))
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        return _form_page(
            site, request, action="/signup", user=None, name=name, error=str(exc), status=400
        )
    return _signed_in(site, request, user)
