"""The account-wide token list: one's own tokens across hosts (and account tokens), revocable;
another user's token is neither listed nor revocable, admins included."""

from __future__ import annotations

from .conftest import Web, csrf_of


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
