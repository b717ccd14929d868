"""The alert settings page: saved through alerts.preferences, validated, one's own only, and a
test alert delivered to a real webhook receiver on loopback."""

from __future__ import annotations

from dataclasses import replace

import httpx

from alerts.receivers import WebhookReceiver
from homing.alerts.preferences import show_alerts
from homing.http.app import build_http_app
from support import http_context

from .conftest import PASSWORDS, Web, csrf_of, sign_in, submitted


async def test_save_settings_and_show_them_again(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    empty = await client.get("/alerts")
    assert empty.status_code == 200
    assert "No email address or webhook saved yet." in empty.text
    assert "no mail server configured" in empty.text
    saved = await submitted(
        client,
        "/alerts",
        {
            "csrf": csrf,
            "email": "alice@example.net",
            "webhook": "https://hooks.example.net/a",
            "event_changes": "1",
            "event_stale": "1",
            "stale_hours": "6",
        },
    )
    assert "Alert settings saved." in saved.text
    preferences = await show_alerts(web.core.store, "alice")
    assert preferences.email == "alice@example.net"
    assert preferences.webhook == "https://hooks.example.net/a"
    assert preferences.events == ("changes", "stale")
    assert preferences.stale_hours == 6
    page = await client.get("/alerts")
    assert 'name="event_changes" value="1" checked' in page.text
    assert 'name="event_failures" value="1">' in page.text
    # Bob's settings are his own: alice's form never reaches them.
    assert (await show_alerts(web.core.store, "bob")).email is None
    cleared = await submitted(
        client, "/alerts", {"csrf": csrf, "email": "", "webhook": "", "stale_hours": "24"}
    )
    assert "Alert settings saved." in cleared.text
    assert await show_alerts(web.core.store, "alice") == replace(
        preferences, email=None, webhook=None, events=(), stale_hours=24
    )


async def test_invalid_values_and_missing_csrf_change_nothing(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    before = await show_alerts(web.core.store, "alice")
    for data in (
        {"email": "not-an-address", "stale_hours": "24"},
        {"webhook": "ftp://example.net/", "stale_hours": "24"},
        # Never deliverable (alert_webhook_private is off): refused when saved, not later.
        {"webhook": "http://10.1.2.3/hook", "stale_hours": "24"},
        {"webhook": "http://[::1]:8080/hook", "stale_hours": "24"},
        {"webhook": "https://nas.local/hook", "stale_hours": "24"},
        {"webhook": "http://[::ffff:192.168.1.1]/", "stale_hours": "24"},
        {"stale_hours": "0"},
        {"stale_hours": "soon"},
    ):
        refused = await client.post("/alerts", data={"csrf": csrf, **data})
        assert refused.status_code == 400, data
        assert 'role="alert"' in refused.text
        for key, value in data.items():
            if key != "stale_hours" or value.isdigit():  # a number field keeps numbers only
                assert f'value="{value}"' in refused.text, (data, value)  # the form as sent
    forged = await client.post("/alerts", data={"email": "x@example.net", "stale_hours": "2"})
    assert forged.status_code == 403
    test = await client.post("/alerts/test", data={})
    assert test.status_code == 403
    assert await show_alerts(web.core.store, "alice") == before


async def test_send_test_alert_reaches_the_webhook(web: Web) -> None:
    settings = replace(web.settings, alert_webhook_private=True)
    app = build_http_app(http_context(web.core, settings))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with (
        WebhookReceiver().running() as receiver,
        httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client,
    ):
        assert (await sign_in(client, "alice", PASSWORDS["alice"])).status_code == 303
        csrf = csrf_of((await client.get("/alerts")).text)
        nothing = await client.post("/alerts/test", data={"csrf": csrf})
        assert nothing.status_code == 400 and "Add an email address or a webhook" in nothing.text
        await client.post(
            "/alerts",
            data={"csrf": csrf, "webhook": receiver.url, "event_changes": "1", "stale_hours": "24"},
        )
        sent = await submitted(client, "/alerts/test", {"csrf": csrf})
        assert "sent</span>" not in (await client.get("/alerts")).text  # shown once
        assert f"sent</span> webhook {receiver.url}" in sent.text
        body = receiver.bodies.get_nowait()
    assert body["event"] == "test" and body["user"] == "alice"
