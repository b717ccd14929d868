"""The host page: records, tokens shown once, revocation, snippets; other people's hosts are 404."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx

from homing.http.app import build_http_app
from homing.http.web.snippets import TOKEN_PLACEHOLDER
from support import http_context

from .conftest import PASSWORDS, Web, address_cell, csrf_of, sign_in, submitted

NEW_TOKEN = re.compile(r'<code id="new-token" class="token">(hm_[^<]+)</code>')


async def create_token(web: Web, client: httpx.AsyncClient, host: str, label: str) -> str:
    page = await client.get(f"/hosts/{host}")
    response = await submitted(
        client, f"/hosts/{host}/tokens", {"csrf": csrf_of(page.text), "label": label}
    )
    found = NEW_TOKEN.search(response.text)
    assert found is not None
    return found.group(1)


async def test_new_token_is_shown_once_and_filled_into_the_snippets(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    before = await client.get("/hosts/home.dyn.example")
    assert TOKEN_PLACEHOLDER in before.text
    assert "new-token" not in before.text
    response = await submitted(
        client, "/hosts/home.dyn.example/tokens", {"csrf": csrf_of(before.text), "label": "router"}
    )
    found = NEW_TOKEN.search(response.text)
    assert found is not None
    token = found.group(1)
    assert f"curl -u &#39;home.dyn.example:{token}&#39; &#39;http://ddns.test/nic/update" in (
        response.text
    )
    assert TOKEN_PLACEHOLDER not in response.text
    after = await client.get("/hosts/home.dyn.example")
    assert token not in after.text
    assert token[:7] + "…" in after.text
    assert "router" in after.text
    # The token works, for this host only.
    update = await client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.9"},
        auth=("home.dyn.example", token),
    )
    assert update.text == "good 203.0.113.9\n"
    elsewhere = await client.get(
        "/nic/update", params={"hostname": "cabin.dyn.example"}, auth=("alice", token)
    )
    assert elsewhere.text == "nohost\n"
    page = await client.get("/hosts/home.dyn.example")
    assert address_cell("203.0.113.9") in page.text


async def test_revoked_token_stops_working(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    token = await create_token(web, client, "home.dyn.example", "phone")
    row = next(t for t in await web.core.store.tokens() if t.label == "phone")
    page = await client.get("/hosts/home.dyn.example")
    response = await client.post(
        f"/hosts/home.dyn.example/tokens/{row.id}/revoke", data={"csrf": csrf_of(page.text)}
    )
    assert response.headers["location"] == "/hosts/home.dyn.example?revoked=1"
    assert "Token revoked." in (await client.get(response.headers["location"])).text
    update = await client.get(
        "/nic/update", params={"hostname": "home.dyn.example"}, auth=("home.dyn.example", token)
    )
    assert update.text == "badauth\n"


async def test_other_peoples_hosts_and_tokens_are_not_found(web: Web) -> None:
    alice = web.new_client()
    dashboard = await web.signed_in(alice, "alice")
    csrf = csrf_of(dashboard)
    bob_tokens = [t for t in await web.core.store.tokens() if t.user == "bob"]
    alice_token = next(t for t in await web.core.store.tokens() if t.user == "alice")
    before = await web.core.store.tokens()
    responses = [
        await alice.get("/hosts/cabin.dyn.example"),
        await alice.get("/hosts/nothere.dyn.example"),
        await alice.get("/hosts/not..a..name"),
        await alice.post("/hosts/cabin.dyn.example/tokens", data={"csrf": csrf, "label": "x"}),
        await alice.post(
            f"/hosts/cabin.dyn.example/tokens/{bob_tokens[0].id}/revoke", data={"csrf": csrf}
        ),
        # Her own host in the path does not reach bob's token either.
        await alice.post(
            f"/hosts/home.dyn.example/tokens/{bob_tokens[0].id}/revoke", data={"csrf": csrf}
        ),
    ]
    assert [r.status_code for r in responses] == [404] * 6
    assert "cabin" not in responses[0].text
    assert await web.core.store.tokens() == before
    # And the other way round: bob cannot touch alice's.
    bob = web.new_client()
    bob_csrf = csrf_of(await web.signed_in(bob, "bob"))
    revoke = await bob.post(
        f"/hosts/home.dyn.example/tokens/{alice_token.id}/revoke", data={"csrf": bob_csrf}
    )
    assert revoke.status_code == 404
    assert await web.core.store.tokens() == before


async def test_admins_see_every_host(web: Web) -> None:
    client = web.new_client()
    dashboard = await web.signed_in(client, "root")
    assert "All hosts" in dashboard
    assert "home.dyn.example" in dashboard and "cabin.dyn.example" in dashboard
    page = await client.get("/hosts/cabin.dyn.example")
    assert page.status_code == 200
    assert "owner bob" in page.text


async def test_public_url_setting_is_used_in_snippets(web: Web) -> None:
    settings = replace(web.settings, public_url="https://ddns.example.net")
    app = build_http_app(http_context(web.core, settings))
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    # The proxy in front speaks TLS (public_url); cookies are Secure, so the client must too.
    async with httpx.AsyncClient(transport=transport, base_url="https://10.0.0.5:8080") as client:
        assert (await sign_in(client, "alice", PASSWORDS["alice"])).status_code == 303
        page = await client.get("/hosts/home.dyn.example")
    assert "server = &#34;https://ddns.example.net&#34;" in page.text
    assert "10.0.0.5" not in page.text
