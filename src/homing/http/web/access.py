"""Who is looking: the session cookie to a ``Viewer``, and the CSRF check on every POST.

A page that needs a sign-in sends the browser to ``/login`` (remembering
where it was going, and saying so when the session has run out). A POST
must carry the session's CSRF token in its ``csrf`` field; without it the
answer is a 403 page and nothing is changed.
"""

from __future__ import annotations

import hmac
import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from homing.http.web.rendering import error_page, read_form, redirect
from homing.http.web.sessions import Session, SessionProblem
from homing.http.web.site import Viewer, WebSite

SESSION_COOKIE = "homing_session"
LOGIN_COOKIE = "homing_login"
LOGIN_COOKIE_SECONDS = 3600
EXPIRED_NOTICE_SECONDS = 86400
CSRF_FIELD = "csrf"
CSRF_MESSAGE = (
    "This form is missing its security token or carries a wrong one, so nothing was changed. "
    "Go back, reload the page and try again."
)


def is_secure(site: WebSite, request: Request) -> bool:
    """Cookies get ``Secure`` when the browser talks TLS to us or to our proxy."""
    public = site.ctx.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def set_cookie(
    site: WebSite, request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_secure(site, request),
    )


def set_session_cookie(site: WebSite, request: Request, response: Response, value: str) -> None:
    """The server enforces the session's end (it is signed into the value); the browser keeps
    the cookie a day longer, so the sign-in page can say the session expired."""
    max_age = int(site.codec.lifetime_seconds) + EXPIRED_NOTICE_SECONDS
    set_cookie(site, request, response, SESSION_COOKIE, value, max_age=max_age)


def safe_next(target: str | None) -> str:
    """Only paths on this site: ``//evil.example`` and ``https://…`` become ``/``.

    Browsers drop tabs and newlines from a ``Location`` (a slash, a tab and
    ``/evil.example`` is ``//evil.example`` to them) and a header cannot carry
    control characters, so anything beyond printable ASCII without spaces or
    backslashes goes to ``/`` too; a browser sends a path percent-encoded anyway.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(not "!" <= ch <= "~" or ch == "\\" for ch in target):
        return "/"
    return target


def login_redirect(request: Request, problem: SessionProblem) -> Response:
    query = {"next": request.url.path if request.method == "GET" else "/"}
    if problem is SessionProblem.EXPIRED:
        query["expired"] = "1"
    return redirect("/login?" + urlencode(query))


async def current_viewer(site: WebSite, request: Request) -> Viewer | SessionProblem:
    found = site.codec.read(request.cookies.get(SESSION_COOKIE), now=time.time())
    if not isinstance(found, Session):
        return found
    user = await site.ctx.store.find_user(found.user)
    if user is None or user.id != found.user_id:
        return SessionProblem.INVALID
    fingerprint = site.codec.fingerprint(user.password_hash)
    if not hmac.compare_digest(fingerprint.encode(), found.fingerprint.encode()):
        return SessionProblem.INVALID  # the password changed since this sign-in
    return Viewer(user=user, session=found, csrf=site.codec.csrf_token(found))


async def require_viewer(site: WebSite, request: Request) -> Viewer | Response:
    """The viewer, or the response that sends the browser to sign in."""
    found = await current_viewer(site, request)
    if isinstance(found, Viewer):
        return found
    return login_redirect(request, found)


async def require_form(site: WebSite, request: Request) -> tuple[Viewer, dict[str, str]] | Response:
    """For POST handlers: the viewer and the form, once the CSRF token has been checked."""
    found = await current_viewer(site, request)
    if not isinstance(found, Viewer):
        return login_redirect(request, found)
    form = await read_form(request)
    if form is None or not site.codec.check_csrf(found.session, form.get(CSRF_FIELD)):
        return error_page(site, viewer=found, status=403, message=CSRF_MESSAGE)
    return found, form
