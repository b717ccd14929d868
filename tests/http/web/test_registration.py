"""Self-registration: a 404 while the setting is off; when on, a sign-up page that creates a
plain user, signs them in, and refuses forged or bad forms."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from homing.http.app import build_http_app
from homing.http.web.site import SIGNUPS_PER_HOUR
from support import http_context

from .conftest import Web, csrf_of, sign_in


async def test_sign_up_is_off_by_default(web: Web) -> None:
    client = web.new_client()
    assert web.settings.web_self_registration is False
    assert (await client.get("/signup")).status_code == 404
    posted = await client.post("/signup", data={"user": "eve", "password": "eve-password"})
    assert posted.status_code == 404
    assert 'href="/signup"' not in (await client.get("/login")).text
    assert await web.core.store.find_user("eve") is None


@pytest.fixture
async def open_site(web: Web) -> AsyncIterator[httpx.AsyncClient]:
    settings = replace(web.settings, web_self_registration=True)
    app = build_http_app(http_context(web.core, settings))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        yield client


async def test_sign_up_creates_a_plain_user_and_signs_them_in(
    web: Web, open_site: httpx.AsyncClient
) -> None:
    login = await open_site.get("/login")
    assert 'href="/signup"' in login.text
    form = await open_site.get("/signup")
    assert form.status_code == 200 and "Create account" in form.text
    csrf = csrf_of(form.text)
    data = {"csrf": csrf, "user": "erin", "password": "erin-password"}
    mismatch = await open_site.post("/signup", data={**data, "repeat_password": "other"})
    assert mismatch.status_code == 400 and 'value="erin"' in mismatch.text
    taken = await open_site.post(
        "/signup", data={**data, "user": "alice", "repeat_password": "erin-password"}
    )
    assert taken.status_code == 400 and "already exists" in taken.text
    forged = await open_site.post(
        "/signup", data={**data, "csrf": "forged", "repeat_password": "erin-password"}
    )
    assert forged.status_code == 403
    assert await web.core.store.find_user("erin") is None
    created = await open_site.post("/signup", data={**data, "repeat_password": "erin-password"})
    assert created.status_code == 303 and created.headers["location"] == "/?welcome=1"
    erin = await web.core.store.find_user("erin")
    assert erin is not None and not erin.is_admin
    dashboard = await open_site.get("/")
    assert "Your hosts" in dashboard.text and "No hosts yet" in dashboard.text
    assert (await open_site.get("/admin/users")).status_code == 404
    assert (await sign_in(web.new_client(), "erin", "erin-password")).status_code == 303


async def test_sign_up_is_limited_per_address(web: Web, open_site: httpx.AsyncClient) -> None:
    csrf = csrf_of((await open_site.get("/signup")).text)
    for i in range(SIGNUPS_PER_HOUR):
        name = f"bulk{i}"
        data = {"csrf": csrf, "user": name, "password": "bulk-password"}
        made = await open_site.post("/signup", data={**data, "repeat_password": "bulk-password"})
        assert made.status_code == 303, made.text
        open_site.cookies.clear()
        csrf = csrf_of((await open_site.get("/signup")).text)
    data = {"csrf": csrf, "user": "one-too-many", "password": "bulk-password"}
    refused = await open_site.post("/signup", data={**data, "repeat_password": "bulk-password"})
    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.text
    assert await web.core.store.find_user("one-too-many") is None
