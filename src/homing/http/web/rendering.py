"""Turning templates into responses, with the headers every page carries, and reading forms.

Pages forbid framing and inline script (the Content-Security-Policy allows
only our own files), are never cached (they can show a token once), and
send no referrer outside the site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from homing.http.web.site import Viewer, WebSite

MAX_FORM_BYTES = 16 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(
    site: WebSite,
    template: str,
    *,
    viewer: Viewer | None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    values.setdefault("notice", None)
    values.setdefault("section", None)
    html = site.templates.get_template(template).render(viewer=viewer, **values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def error_page(site: WebSite, *, viewer: Viewer | None, status: int, message: str) -> HTMLResponse:
    titles = {
        403: "Forbidden",
        404: "Not found",
        413: "Too large",
        429: "Too many attempts",
        503: "Unavailable",
    }
    return render(
        site,
        "error.html",
        viewer=viewer,
        status=status,
        title=titles.get(status, "Error"),
        message=message,
    )


async def read_form(request: Request) -> dict[str, str] | None:
    """An ``application/x-www-form-urlencoded`` body as a dict, or None when it is not one."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return dict(parse_qsl(text, keep_blank_values=True))


def redirect(url: str, *, headers: dict[str, str] | None = None) -> Response:
    """303 See Other: after a POST the browser follows with a GET."""
    return Response(status_code=303, headers={"Location": url, **(headers or {})})
