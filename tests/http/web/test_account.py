"""The account page: changing the password keeps this browser in and signs others out."""

from __future__ import annotations

from .conftest import Web, csrf_of, sign_in, submitted


async def test_password_change(web: Web) -> None:
    here = web.new_client()
    there = web.new_client()
    await web.signed_in(here, "alice")
    await web.signed_in(there, "alice")
    page = await here.get("/account")
    assert "<dd><strong>alice</strong></dd>" in page.text
    assert "user: your own hosts" in page.text
    form = {
        "csrf": csrf_of(page.text),
        "current_password": "alice-password",
        "new_password": "a-new-password",
        "repeat_password": "a-new-password",
    }
    changed = await submitted(here, "/account/password", form)
    assert "Password changed" in changed.text
    assert (await here.get("/")).status_code == 200
    assert (await there.get("/")).status_code == 303
    fresh = web.new_client()
    assert (await sign_in(fresh, "alice", "alice-password")).status_code == 401
    assert (await sign_in(fresh, "alice", "a-new-password")).status_code == 303


async def test_wrong_current_password_or_mismatch_changes_nothing(web: Web) -> None:
    client = web.new_client()
    csrf = csrf_of(await web.signed_in(client, "alice"))
    base = {"csrf": csrf, "new_password": "a-new-password", "repeat_password": "a-new-password"}
    wrong = await client.post("/account/password", data={**base, "current_password": "nope"})
    assert (wrong.status_code, "The current password is wrong." in wrong.text) == (400, True)
    token = await client.post(
        "/account/password", data={**base, "current_password": web.alice_token}
    )
    assert token.status_code == 400
    differ = await client.post(
        "/account/password",
        data={**base, "current_password": "alice-password", "repeat_password": "other"},
    )
    assert (differ.status_code, "The new passwords differ." in differ.text) == (400, True)
    short = await client.post(
        "/account/password",
        data={
            "csrf": csrf,
            "current_password": "alice-password",
            "new_password": "short",
            "repeat_password": "short",
        },
    )
    assert short.status_code == 400
    assert (await client.get("/")).status_code == 200
    assert (await sign_in(web.new_client(), "alice", "alice-password")).status_code == 303
