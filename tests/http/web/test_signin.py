"""Sign-in: password only, refusals counted and recorded, lock-out, logout, safe redirects."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homing.domain.outcomes import FrontDoor
from homing.http.web.access import SESSION_COOKIE, safe_next

from .conftest import PASSWORDS, Web, csrf_of, sign_in


async def test_sign_in_sets_a_hardened_cookie_and_shows_the_dashboard(web: Web) -> None:
    client = web.new_client()
    first = await client.get("/")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2F"
    response = await sign_in(client, "alice", PASSWORDS["alice"])
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http://ddns.test
    page = await client.get("/")
    assert page.status_code == 200
    assert "home.dyn.example" in page.text
    assert "cabin.dyn.example" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_cookie_is_secure_when_the_public_url_is_https(web: Web) -> None:
    client = web.new_client()
    client.base_url = "https://ddns.test"
    response = await sign_in(client, "alice", PASSWORDS["alice"])
    cookie = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "Secure" in cookie


async def test_wrong_password_is_refused_and_recorded(web: Web) -> None:
    client = web.new_client()
    response = await sign_in(client, "alice", "wrong-password")
    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert 'value="alice"' in response.text  # the name stays filled in
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert (await client.get("/")).status_code == 303
    await web.core.writer.sync()
    (row,) = await web.core.store.history()
    assert (row.outcome, row.front_door, row.fqdn) == ("badauth", FrontDoor.WEB.value, "alice")
    assert row.source == "198.51.100.20"


async def test_repeated_failures_lock_out_even_the_right_password(web: Web) -> None:
    client = web.new_client()
    for _ in range(5):  # the core fixture locks out after 5 failures per address
        assert (await sign_in(client, "alice", "guess")).status_code == 401
    locked = await sign_in(client, "alice", PASSWORDS["alice"])
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert (await client.get("/")).status_code == 303


async def test_an_update_token_does_not_open_a_session(web: Web) -> None:
    client = web.new_client()
    for login in ("alice", "home.dyn.example"):
        response = await sign_in(client, login, web.alice_token)
        assert response.status_code == 401
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_login_form_needs_its_csrf_token(web: Web) -> None:
    client = web.new_client()
    await client.get("/login")
    form = {"user": "alice", "password": PASSWORDS["alice"]}
    missing = await client.post("/login", data=form)
    assert missing.status_code == 403
    wrong = await client.post("/login", data={**form, "csrf": "forged"})
    assert wrong.status_code == 403
    # A token from another browser's login page does not fit this browser's nonce.
    other = web.new_client()
    foreign = csrf_of((await other.get("/login")).text)
    assert (await client.post("/login", data={**form, "csrf": foreign})).status_code == 403
    assert (await client.get("/")).status_code == 303


async def test_next_goes_back_but_never_off_site(web: Web) -> None:
    client = web.new_client()
    to_audit = await sign_in(client, "alice", PASSWORDS["alice"], next_path="/audit")
    assert to_audit.headers["location"] == "/audit"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        other = web.new_client()
        response = await sign_in(other, "alice", PASSWORDS["alice"], next_path=target)
        assert response.headers["location"] == "/"


@settings(max_examples=300)
@given(st.text(max_size=40).map(lambda tail: "/" + tail))
def test_next_is_a_same_site_path_of_printable_ascii(target: str) -> None:
    chosen = safe_next(target)
    assert chosen == "/" or (chosen == target and not chosen.startswith("//"))
    assert all("!" <= ch <= "~" and ch != "\\" for ch in chosen)


def test_next_with_controls_or_whitespace_goes_home() -> None:
    for target in ("/\t/evil.example", "/\x0b", "/a\r\nSet-Cookie: x=1", "/\u2028", "/a b", "/é"):
        assert safe_next(target) == "/"
    assert safe_next("/hosts/home.dyn.example?tab=history") == "/hosts/home.dyn.example?tab=history"


async def test_signed_in_login_page_goes_home_and_logout_ends_the_session(web: Web) -> None:
    client = web.new_client()
    dashboard = await web.signed_in(client, "alice")
    assert (await client.get("/login")).headers["location"] == "/"
    out = await client.post("/logout", data={"csrf": csrf_of(dashboard)})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert (await client.get("/")).status_code == 303
