"""The signed-in user's alert settings: where alerts go, which events, and a test alert.

Reads and writes go through ``alerts.preferences`` (the same checks as
``homing alert set``); the "send test alert" button calls its
``send_test_alert``, which delivers to each destination now and reports
each result, so an owner learns at once whether a webhook URL or an email
address really reaches them. Alerts themselves are sent in the background
by the alert follower; nothing here blocks an update.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from homing.alerts.preferences import (
    MAX_STALE_HOURS,
    MAX_URL_LENGTH,
    AlertPreferences,
    send_test_alert,
    set_alerts,
    show_alerts,
)
from homing.alerts.rules import AlertEvent
from homing.errors import HomingError, InputError, StoreError
from homing.http.web.access import require_form, require_viewer
from homing.http.web.rendering import redirect, render
from homing.http.web.site import Viewer, WebSite

EVENT_LABELS = {
    AlertEvent.CHANGES: "A host's address changed",
    AlertEvent.FAILURES: "Refused update attempts (wrong token, lock-outs, unknown names)",
    AlertEvent.STALE: "A host has had no update for a while",
}


def _page(
    site: WebSite,
    viewer: Viewer,
    preferences: AlertPreferences,
    *,
    notice: str | None = None,
    error: str | None = None,
    results: list[tuple[str, str | None]] | None = None,
    status: int = 200,
) -> Response:
    return render(
        site,
        "alerts.html",
        viewer=viewer,
        status=status,
        section="alerts",
        title="Alerts",
        preferences=preferences,
        events=[(e.value, label) for e, label in EVENT_LABELS.items()],
        email_enabled=site.ctx.settings.alert_smtp_host is not None,
        max_stale_hours=MAX_STALE_HOURS,
        notice=notice,
        error=error,
        results=results,
    )


async def alerts_page(site: WebSite, request: Request) -> Response:
    viewer = await require_viewer(site, request)
    if isinstance(viewer, Response):
        return viewer
    shown = await site.shown.taken(request, viewer.user.id)
    sent = shown.get("results")
    results = (
        [(str(d), p if isinstance(p, str) else None) for d, p in sent]
        if isinstance(sent, list)
        else None
    )
    notice = "Alert settings saved." if request.query_params.get("saved") else None
    preferences = await show_alerts(site.ctx.store, viewer.user.name)
    return _page(site, viewer, preferences, notice=notice, results=results)


def _stale_hours(text: str) -> int:
    value = text.strip()
    if not value.isdigit():
        raise InputError(f"stale hours are a whole number from 1 to {MAX_STALE_HOURS}")
    return int(value)


async def save_alerts(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    store = site.ctx.store
    # A form sends only the ticked boxes, each as its own field.
    events = [e.value for e in AlertEvent if form.get(f"event_{e.value}")]
    try:
        await set_alerts(
            store,
            viewer.user.name,
            email=form.get("email", "").strip(),
            webhook=form.get("webhook", "").strip(),
            events=events,
            stale_hours=_stale_hours(form.get("stale_hours", "")),
            allow_private_webhook=site.ctx.settings.alert_webhook_private,
            writes=site.ctx.api.writer,
        )
    except StoreError:
        raise  # the page answers 503 (see web/__init__.py)
    except HomingError as exc:
        # The form again as it was sent (nothing was saved), so nothing typed is lost.
        current = await show_alerts(store, viewer.user.name)
        hours = form.get("stale_hours", "").strip()
        sent = replace(
            current,
            email=form.get("email", "").strip()[:MAX_URL_LENGTH] or None,
            webhook=form.get("webhook", "").strip()[:MAX_URL_LENGTH] or None,
            events=tuple(events),
            stale_hours=int(hours) if hours.isdigit() and len(hours) < 6 else current.stale_hours,
        )
        return _page(site, viewer, sent, error=str(exc), status=400)
    return redirect("/alerts?saved=1")


async def test_alert(site: WebSite, request: Request) -> Response:
    checked = await require_form(site, request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    store = site.ctx.store
    preferences = await show_alerts(store, viewer.user.name)
    if not preferences.destinations():
        error = "Add an email address or a webhook first, then send a test alert."
        return _page(site, viewer, preferences, error=error, status=400)
    sent = await send_test_alert(site.ctx.settings, store, viewer.user.name)
    results = [(str(destination), problem) for destination, problem in sent]
    return redirect(await site.shown.location("/alerts", viewer.user.id, {"results": results}))
