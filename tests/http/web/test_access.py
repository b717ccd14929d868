"""Sessions in requests: expiry, tampering, password changes; CSRF on every POST route."""

from __future__ import annotations

import time

import httpx
import pytest

from homing.http.web.access import SESSION_COOKIE
from homing.http.web.sessions import Session, SessionCodec

from .conftest import Web, csrf_of


def session_cookie(client: httpx.AsyncClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value is not None
    return value


def set_session(client: httpx.AsyncClient, value: str) -> None:
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, value, domain="ddns.test")


async def test_expired_session_sends_to_sign_in_with_a_notice(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    user = await web.core.store.find_user("alice")
    assert user is not None
    old, _ = web.codec().issue(
        user_id=user.id,
        user="alice",
        password_hash=user.password_hash,
        now=time.time() - web.settings.web_session_seconds - 1,
    )
    set_session(client, old)
    response = await client.get("/audit")
    assert response.headers["location"] == "/login?next=%2Faudit&expired=1"
    login = await client.get(response.headers["location"])
    assert "Your session has expired" in login.text


async def test_tampered_cookie_is_no_session(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    payload, signature = session_cookie(client).split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for forged in (f"{payload}.{flipped}", payload, "garbage", f"{payload}x.{signature}"):
        set_session(client, forged)
        response = await client.get("/")
        assert response.headers["location"] == "/login?next=%2F"


async def test_a_cookie_signed_with_another_key_is_no_session(web: Web) -> None:
    user = await web.core.store.find_user("root")
    assert user is not None
    foreign = SessionCodec(key=b"z" * 32, lifetime_seconds=600)
    cookie, _ = foreign.issue(
        user_id=user.id, user="root", password_hash=user.password_hash, now=time.time()
    )
    client = web.new_client()
    set_session(client, cookie)
    assert (await client.get("/")).status_code == 303


async def test_password_change_ends_older_sessions(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    await web.core.admin.set_password("alice", "a-brand-new-password")
    assert (await client.get("/")).status_code == 303


async def test_removed_and_recreated_user_does_not_inherit_the_session(web: Web) -> None:
    client = web.new_client()
    await web.signed_in(client, "bob")
    await web.core.admin.remove_user("bob")
    await web.core.admin.add_user("bob", password="bob-password")
    assert (await client.get("/")).status_code == 303


POST_ROUTES = [
    ("/logout", {}),
    ("/hosts/home.dyn.example/tokens", {"label": "x"}),
    ("/hosts/home.dyn.example/tokens/1/revoke", {}),
    (
        "/account/password",
        {
            "current_password": "alice-password",
            "new_password": "another-password",
            "repeat_password": "another-password",
        },
    ),
]


@pytest.mark.parametrize(("path", "form"), POST_ROUTES, ids=[p for p, _ in POST_ROUTES])
async def test_every_post_needs_the_sessions_csrf_token(
    web: Web, path: str, form: dict[str, str]
) -> None:
    client = web.new_client()
    await web.signed_in(client, "alice")
    other = web.new_client()
    foreign = csrf_of(await web.signed_in(other, "alice"))  # same user, another session
    tokens_before = await web.core.store.tokens()
    for csrf in (None, "", "forged", foreign):
        data = form if csrf is None else {**form, "csrf": csrf}
        response = await client.post(path, data=data)
        assert response.status_code == 403, (path, csrf)
        assert "nothing was changed" in response.text
    # Not urlencoded at all (a multipart or JSON body) is refused the same way.
    json_body = await client.post(path, json={**form, "csrf": foreign})
    assert json_body.status_code == 403
    assert await web.core.store.tokens() == tokens_before
    assert (await client.get("/")).status_code == 200  # still signed in: logout did not happen
    user = await web.core.store.find_user("alice")
    session = web.codec().read(session_cookie(client), now=time.time())
    assert user is not None and isinstance(session, Session)
    assert session.fingerprint == web.codec().fingerprint(user.password_hash)  # password kept


@pytest.mark.parametrize(("path", "form"), POST_ROUTES, ids=[p for p, _ in POST_ROUTES])
async def test_posts_without_a_session_change_nothing(
    web: Web, path: str, form: dict[str, str]
) -> None:
    client = web.new_client()
    tokens_before = await web.core.store.tokens()
    response = await client.post(path, data={**form, "csrf": "anything"})
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2F")
    assert await web.core.store.tokens() == tokens_before
