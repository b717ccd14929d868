"""``/me/alerts``: the caller's alert settings over the API, and a test alert to a local webhook."""

from __future__ import annotations

import httpx
import pytest

from alerts.receivers import WebhookReceiver
from homing.alerts.preferences import set_alerts
from homing.config import Settings
from homing.http.app import build_http_app
from support import http_context

from .conftest import Api


async def test_settings_start_empty_and_put_replaces_them(api: Api) -> None:
    empty = await api.client.get("/api/v1/me/alerts", headers=api.alice)
    assert empty.json() == {"email": None, "webhook": None, "events": [], "stale_hours": 24}
    put = await api.client.put(
        "/api/v1/me/alerts",
        headers=api.alice,
        json={"email": "alice@example.net", "events": ["stale", "failures"], "stale_hours": 6},
    )
    assert put.status_code == 200
    wanted = {
        "email": "alice@example.net",
        "webhook": None,
        "events": ["stale", "failures"],
        "stale_hours": 6,
    }
    assert put.json() == wanted
    assert (await api.client.get("/api/v1/me/alerts", headers=api.alice)).json() == wanted
    # Another user's settings are their own.
    assert (await api.client.get("/api/v1/me/alerts", headers=api.bob)).json()["email"] is None
    replaced = await api.client.put(
        "/api/v1/me/alerts", headers=api.alice, json={"webhook": "https://hooks.example.net/x"}
    )
    assert replaced.json() == {
        "email": None,
        "webhook": "https://hooks.example.net/x",
        "events": ["changes", "failures"],
        "stale_hours": 24,
    }
    none = await api.client.put("/api/v1/me/alerts", headers=api.alice, json={"events": []})
    assert none.json()["events"] == []


async def test_bad_values_name_the_field(api: Api) -> None:
    for body, field in [
        ({"email": "not-an-address"}, "email"),
        ({"webhook": "ftp://example.net/"}, "webhook"),
        ({"events": ["sometimes"]}, "events"),
        ({"stale_hours": 0}, "stale_hours"),
        ({"emails": "a@example.net"}, "emails"),
    ]:
        answer = await api.client.put("/api/v1/me/alerts", headers=api.alice, json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["field"] == field


async def test_read_only_and_scoped_tokens_cannot_change_or_test(api: Api) -> None:
    for scope in ({"read_only": True}, {"hosts": ("home.dyn.example",)}):
        headers = await api.token("alice", **scope)
        assert (await api.client.get("/api/v1/me/alerts", headers=headers)).status_code == 200
        put = await api.client.put("/api/v1/me/alerts", headers=headers, json={"events": []})
        assert put.status_code == 403
        test = await api.client.post("/api/v1/me/alerts/test", headers=headers)
        assert test.status_code == 403
    assert (await api.client.get("/api/v1/me/alerts")).status_code == 401


async def test_a_test_alert_needs_a_destination(api: Api) -> None:
    answer = await api.client.post("/api/v1/me/alerts/test", headers=api.alice)
    assert answer.status_code == 409


async def test_a_test_alert_reaches_the_webhook_and_says_so(
    api: Api, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Loopback webhooks need alert_webhook_private (off by default: no calls into our network).
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), alert_webhook_private=True)
    app = build_http_app(http_context(api.core, settings))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.30", 40000))
    client = httpx.AsyncClient(transport=transport, base_url="http://ddns.test")
    async with WebhookReceiver().running() as webhook, client:
        await client.put(
            "/api/v1/me/alerts",
            headers=api.alice,
            json={"webhook": webhook.url, "email": "alice@example.net"},
        )
        answer = await client.post("/api/v1/me/alerts/test", headers=api.alice)
        assert answer.status_code == 200
        results = {r["channel"]: r for r in answer.json()["results"]}
        assert results["webhook"] == {
            "channel": "webhook",
            "address": webhook.url,
            "sent": True,
            "error": None,
        }
        assert results["email"]["sent"] is False  # no SMTP server configured
        assert "alert_smtp_host" in results["email"]["error"]
        received = webhook.bodies.get_nowait()
        assert (received["event"], received["user"]) == ("test", "alice")


async def test_a_webhook_into_our_own_network_is_not_called(api: Api) -> None:
    refused = await api.client.put(
        "/api/v1/me/alerts", headers=api.alice, json={"webhook": "http://127.0.0.1:9/hook"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "webhook"
    assert "not a public address" in refused.json()["error"]["message"]
    # Saved while the operator allowed it: delivery checks again, and refuses.
    await set_alerts(
        api.core.store, "alice", webhook="http://127.0.0.1:9/hook", allow_private_webhook=True
    )
    answer = await api.client.post("/api/v1/me/alerts/test", headers=api.alice)
    (result,) = answer.json()["results"]
    assert result["sent"] is False and "alert_webhook_private" in result["error"]
