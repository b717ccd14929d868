"""The account-wide token list: one's own tokens across hosts (and account tokens), revocable;
another user's token is neither listed nor revocable, admins included."""

from __future__ import annotations

import re

from homing.core.api_tokens import ApiTokens

from .conftest import Web, csrf_of, submitted


async def test_lists_own_tokens_of_every_host_and_revokes_one(web: Web) -> None:
    _, account_token = await web.core.admin.create_token(user="alice", label="laptop script")
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    page = await client.get("/tokens")
    assert page.status_code == 200
    mine = [t for t in await web.core.store.tokens() if t.user == "alice"]
    for token in mine:
        assert f"<code>{token.prefix}…</code>" in page.text
    assert 'href="/hosts/home.dyn.example"' in page.text
    assert "<strong>every host</strong>" in page.text and "laptop script" in page.text
    assert "cabin" not in page.text
    assert "2 active" in page.text
    account = next(t for t in mine if t.host is None)
    revoked = await client.post(f"/tokens/{account.id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/tokens?revoked=1"
    after = await client.get("/tokens?revoked=1")
    assert "Token revoked." in after.text and "1 active" in after.text
    update = await client.get(
        "/nic/update", params={"hostname": "home.dyn.example"}, auth=("alice", account_token)
    )
    assert update.text == "badauth\n"


async def test_other_peoples_tokens_are_not_found_and_csrf_is_checked(web: Web) -> None:
    bob_token = next(t for t in await web.core.store.tokens() if t.user == "bob")
    alice_token = next(t for t in await web.core.store.tokens() if t.user == "alice")
    for user in ("alice", "root"):
        client = web.new_client()
        csrf = csrf_of(await web.signed_in(client, user))
        assert bob_token.prefix not in (await client.get("/tokens")).text
        refused = await client.post(f"/tokens/{bob_token.id}/revoke", data={"csrf": csrf})
        assert refused.status_code == 404
    alice = web.new_client()
    await web.signed_in(alice, "alice")
    no_csrf = await alice.post(f"/tokens/{alice_token.id}/revoke", data={})
    assert no_csrf.status_code == 403
    assert all(t.revoked_at is None for t in await web.core.store.tokens())


API_TOKEN = re.compile(r'<code id="new-token" class="token">(hm_api_[^<]+)</code>')


async def test_api_tokens_are_created_shown_once_used_and_revoked(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    form = {"csrf": csrf, "name": "backup script", "expires_in": "30d", "read_only": "1"}
    created = await submitted(client, "/tokens/api", form)
    found = API_TOKEN.search(created.text)
    assert found is not None
    secret = found.group(1)
    assert secret not in (await client.get("/tokens")).text  # shown once
    [row] = await web.core.store.api_tokens(user_id=(await user_id(web, "alice")))
    assert (row.name, row.read_only, row.expires_at is not None) == ("backup script", True, True)
    assert f"<code>{row.prefix}…</code>" in (await client.get("/tokens")).text
    bearer = {"Authorization": f"Bearer {secret}"}
    hosts = await client.get("/api/v1/hosts", headers=bearer)
    assert [h["name"] for h in hosts.json()["items"]] == ["home.dyn.example"]
    write = await client.post("/api/v1/hosts", headers=bearer, json={"name": "x.dyn.example"})
    assert write.status_code == 403  # read-only
    revoked = await client.post(f"/tokens/api/{row.id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 303
    assert "API token revoked." in (await client.get(revoked.headers["location"])).text
    assert (await client.get("/api/v1/hosts", headers=bearer)).status_code == 401


async def test_bad_api_token_forms_and_other_peoples_api_tokens(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    for form in ({"name": ""}, {"name": "x" * 101}, {"name": "ok", "expires_in": "soon"}):
        refused = await client.post("/tokens/api", data={"csrf": csrf, **form})
        assert refused.status_code == 400 and 'role="alert"' in refused.text, form
    assert (await client.post("/tokens/api", data={"name": "no csrf"})).status_code == 403
    assert await web.core.store.api_tokens(user_id=await user_id(web, "alice")) == []
    bobs, _ = await ApiTokens(store=web.core.store).create(user="bob", name="bob's")
    stolen = await client.post(f"/tokens/api/{bobs.id}/revoke", data={"csrf": csrf})
    assert stolen.status_code == 404
    assert (await web.core.store.find_api_token_by_id(bobs.id)).revoked_at is None  # type: ignore[union-attr]


async def user_id(web: Web, name: str) -> int:
    user = await web.core.store.find_user(name)
    assert user is not None
    return user.id
