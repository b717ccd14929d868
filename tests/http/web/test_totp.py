"""Two-factor sign-in in the browser: set up on the account page, the code step, turning it off."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pyotp
import pytest

from homing.config import Settings
from homing.core.auth import Authenticator
from homing.http.app import build_http_app
from homing.http.web.access import SESSION_COOKIE
from support import Core, http_context

from .conftest import PASSWORDS, csrf_of, submitted

NOW = 1_800_000_015.0
PENDING = re.compile(r'name="pending" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class Site:
    core: Core
    clock: Clock
    client: httpx.AsyncClient
    app: object

    def new_client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("198.51.100.21", 40000))  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://ddns.test")


@pytest.fixture
async def site(core: Core, tmp_path: Path) -> AsyncIterator[Site]:
    await core.admin.add_zone("dyn.example")
    await core.admin.add_user("alice", password=PASSWORDS["alice"])
    await core.admin.add_host("home.dyn.example", owner="alice")
    clock = Clock()
    auth = Authenticator(store=core.store, brake=core.brake, refusals=core.refusals, clock=clock)
    ctx = dataclasses.replace(http_context(core, Settings(data_dir=tmp_path / "data")), auth=auth)
    app = build_http_app(ctx)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ddns.test") as client:
        yield Site(core=core, clock=clock, client=client, app=app)


async def _password_step(
    client: httpx.AsyncClient, password: str = PASSWORDS["alice"]
) -> httpx.Response:
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"csrf": csrf_of(form.text), "user": "alice", "password": password, "next": "/audit"},
    )


async def _code_step(client: httpx.AsyncClient, page: httpx.Response, code: str) -> httpx.Response:
    pending = PENDING.search(page.text)
    assert pending is not None, page.text
    data = {"csrf": csrf_of(page.text), "pending": pending.group(1), "code": code, "next": "/audit"}
    return await client.post("/login/code", data=data)


async def _turn_on(site: Site) -> pyotp.TOTP:
    """Sign in, set up two-factor sign-in on the account page and confirm it with a code."""
    signed_in = await _password_step(site.client)
    assert signed_in.status_code == 303
    account = await site.client.get("/account")
    setup = await submitted(site.client, "/account/totp/setup", {"csrf": csrf_of(account.text)})
    found = SECRET.search(setup.text)
    assert found is not None
    totp = pyotp.TOTP(found.group(1))
    assert "otpauth://totp/Homing:alice?secret=" + found.group(1) in setup.text
    assert "<svg" in setup.text  # the QR code, inline
    pending = PENDING.search(setup.text)
    assert pending is not None
    wrong = await site.client.post(
        "/account/totp/enable",
        data={"csrf": csrf_of(setup.text), "pending": pending.group(1), "code": "000000"},
    )
    assert wrong.status_code == 400 and "does not match" in wrong.text
    assert (await site.core.store.find_user("alice")).has_totp is False  # type: ignore[union-attr]
    confirmed = await submitted(
        site.client,
        "/account/totp/enable",
        {"csrf": csrf_of(setup.text), "pending": pending.group(1), "code": totp.at(NOW)},
    )
    assert "Two-factor sign-in is on." in confirmed.text
    return totp


async def test_enable_then_sign_in_asks_for_the_code(site: Site) -> None:
    totp = await _turn_on(site)
    browser = site.new_client()
    first = await _password_step(browser)
    assert first.status_code == 200 and 'action="/login/code"' in first.text
    assert SESSION_COOKIE not in first.headers.get("set-cookie", "")
    assert (await browser.get("/")).status_code == 303  # no session yet
    site.clock.now = NOW + 30
    done = await _code_step(browser, first, totp.at(site.clock.now))
    assert (done.status_code, done.headers["location"]) == (303, "/audit")
    assert (await browser.get("/audit")).status_code == 200


async def test_wrong_and_replayed_codes_are_refused_and_recorded(site: Site) -> None:
    totp = await _turn_on(site)
    browser = site.new_client()
    first = await _password_step(browser)
    wrong = await _code_step(browser, first, "123456" if totp.at(NOW) != "123456" else "654321")
    assert wrong.status_code == 401 and "Wrong or already used code" in wrong.text
    replayed = await _code_step(browser, wrong, totp.at(NOW))  # the code that turned it on
    assert replayed.status_code == 401
    site.clock.now = NOW + 30
    ok = await _code_step(browser, replayed, totp.at(site.clock.now))
    assert ok.status_code == 303
    other = site.new_client()
    again = await _code_step(other, await _password_step(other), totp.at(site.clock.now))
    assert again.status_code == 401  # the same code in another browser, same window
    site.core.refusals.flush()  # refusals after a window's first are one row with a count
    await site.core.writer.sync()
    rows = [r for r in await site.core.store.history() if r.front_door == "web"]
    codes = [r for r in rows if (r.detail or "").startswith("wrong or reused one-time code")]
    assert sum(r.count for r in codes) == 3


async def test_the_code_step_needs_a_fresh_token_from_this_browser(site: Site) -> None:
    totp = await _turn_on(site)
    browser = site.new_client()
    first = await _password_step(browser)
    thief = site.new_client()
    await thief.get("/login")
    stolen = await _code_step(thief, first, totp.at(NOW + 30))
    assert stolen.status_code == 403  # CSRF: the form belongs to another browser's nonce
    site.clock.now = NOW + 30
    late = PENDING.search(first.text)
    assert late is not None
    forged = await browser.post(
        "/login/code",
        data={"csrf": csrf_of(first.text), "pending": late.group(1) + "x", "code": "000000"},
    )
    assert forged.status_code == 401 and "took too long" in forged.text
    assert (await browser.get("/")).status_code == 303


async def test_wrong_codes_count_toward_the_lock_out(site: Site) -> None:
    totp = await _turn_on(site)
    browser = site.new_client()
    page = await _password_step(browser)
    for _ in range(5):
        page = await _code_step(browser, page, "999999" if totp.at(NOW) != "999999" else "888888")
        assert page.status_code == 401
    site.clock.now = NOW + 30
    locked = await _code_step(browser, page, totp.at(site.clock.now))
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert (await _password_step(browser)).status_code == 429


async def test_disable_needs_a_current_code(site: Site) -> None:
    totp = await _turn_on(site)
    account = await site.client.get("/account")
    assert "Turn off" in account.text
    wrong = await site.client.post(
        "/account/totp/disable", data={"csrf": csrf_of(account.text), "code": totp.at(NOW)}
    )
    assert wrong.status_code == 400  # already used to turn it on
    site.clock.now = NOW + 30
    off = await submitted(
        site.client,
        "/account/totp/disable",
        {"csrf": csrf_of(account.text), "code": totp.at(site.clock.now)},
    )
    assert "Two-factor sign-in is off." in off.text
    browser = site.new_client()
    assert (await _password_step(browser)).status_code == 303


async def test_the_password_alone_no_longer_updates_hosts(site: Site) -> None:
    await _turn_on(site)
    answer = await site.client.get(
        "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "192.0.2.7"},
        auth=("alice", PASSWORDS["alice"]),
    )
    assert answer.text == "badauth\n"


async def test_password_change_still_works_with_two_factor_on(site: Site) -> None:
    await _turn_on(site)
    account = await site.client.get("/account")
    changed = await submitted(
        site.client,
        "/account/password",
        {
            "csrf": csrf_of(account.text),
            "current_password": PASSWORDS["alice"],
            "new_password": "a-new-password",
            "repeat_password": "a-new-password",
        },
    )
    assert "Password changed." in changed.text
