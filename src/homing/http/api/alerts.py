"""``/me/alerts``: the caller's own alert settings (email, webhook, events), and a test alert.

The settings reach every host of the account, so changing them or sending a
test needs a token that is writable and not narrowed to hosts or types, like
creating API tokens. ``PUT`` replaces the whole settings: a field left out
takes its default (no email, no webhook, changes and failures, 24 hours).
"""

from __future__ import annotations

from starlette.responses import Response

from homing.alerts.preferences import (
    DEFAULT_EVENTS,
    DEFAULT_STALE_HOURS,
    MAX_STALE_HOURS,
    MAX_URL_LENGTH,
    AlertPreferences,
    check_email,
    check_events,
    check_webhook,
    send_test_alert,
    set_alerts,
    show_alerts,
)
from homing.alerts.rules import AlertEvent
from homing.http.api.errors import ApiError, about
from homing.http.api.operations import Call, Operation, ok, ref

TAG = "account"


def _render(preferences: AlertPreferences) -> dict[str, object]:
    return {
        "email": preferences.email,
        "webhook": preferences.webhook,
        "events": list(preferences.events),
        "stale_hours": preferences.stale_hours,
    }


async def get_alerts(call: Call) -> Response:
    return ok(_render(await show_alerts(call.api.store, call.principal.user)))


async def put_alerts(call: Call) -> Response:
    call.principal.require_full("change alert settings")
    body = await call.body()
    email = body.text("email", max_length=254)
    webhook = body.text("webhook", max_length=MAX_URL_LENGTH)
    events = body.texts("events", max_items=len(AlertEvent), max_length=16)
    given_events = body.present("events")
    stale_hours = body.integer("stale_hours", low=1, high=MAX_STALE_HOURS)
    body.finish()
    with about("email"):
        if email:
            check_email(email)
    with about("webhook"):
        if webhook:
            check_webhook(webhook, allow_private=call.settings.alert_webhook_private)
    with about("events"):
        chosen = check_events(events) if given_events else DEFAULT_EVENTS
    saved = await set_alerts(
        call.api.store,
        call.principal.user,
        email=email or "",
        webhook=webhook or "",
        events=chosen,
        stale_hours=stale_hours or DEFAULT_STALE_HOURS,
        allow_private_webhook=call.settings.alert_webhook_private,
        writes=call.api.writer,
    )
    return ok(_render(saved))


async def send_test(call: Call) -> Response:
    call.principal.require_full("send test alerts")
    call.query().finish()
    results = await send_test_alert(call.settings, call.api.store, call.principal.user)
    if not results:
        raise ApiError("conflict", "you have no email or webhook for alerts; PUT /me/alerts first")
    return ok(
        {
            "results": [
                {
                    "channel": destination.channel,
                    "address": destination.address,
                    "sent": error is None,
                    "error": error,
                }
                for destination, error in results
            ]
        }
    )


def operations() -> list[Operation]:
    return [
        Operation(
            method="GET",
            path="/me/alerts",
            handler=get_alerts,
            operation_id="getAlertSettings",
            summary="Your alert settings: where alerts go and which ones you want.",
            tag=TAG,
            response=ref("AlertSettings"),
            errors=(401, 429),
        ),
        Operation(
            method="PUT",
            path="/me/alerts",
            handler=put_alerts,
            operation_id="putAlertSettings",
            summary="Replace your alert settings (a field left out takes its default).",
            tag=TAG,
            request="AlertSettingsPut",
            response=ref("AlertSettings"),
            errors=(401, 403, 422, 429),
        ),
        Operation(
            method="POST",
            path="/me/alerts/test",
            handler=send_test,
            operation_id="sendTestAlert",
            summary="Send a test alert to your email and webhook now; says what arrived.",
            tag=TAG,
            response=ref("AlertTestResults"),
            errors=(401, 403, 409, 422, 429),
        ),
    ]
