"""The web UI in a real browser against a real server: the owner's main path and its refusals."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from integration.server import ServerProcess

from .conftest import Seeded, screenshot, sign_in, start_server


def nav(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Seeded]]:
    server, seeded = start_server(tmp_path_factory.mktemp("web"))
    # Some history before the owner looks: the NAS is up to date, the office's router was
    # given the NAS's token by mistake (a refusal tied to the host), home was never updated.
    nas = ("nas.dyn.example", seeded.tokens["nas.dyn.example"])
    office = ("office.dyn.example", seeded.tokens["office.dyn.example"])
    with httpx.Client(base_url=server.url) as client:
        for address in ("192.0.2.10", "192.0.2.11,2001:db8::11"):
            answer = client.get("/nic/update", params={"myip": address}, auth=nas)
            assert answer.text.startswith("good"), answer.text
        client.get("/nic/update", params={"myip": "192.0.2.30"}, auth=office)
        refused = client.get(
            "/nic/update",
            params={"hostname": "office.dyn.example", "myip": "192.0.2.31"},
            auth=nas,
        )
        assert refused.text == "nohost\n", refused.text
    yield server, seeded
    assert server.stop() == 0, server.log()


def test_sign_in_token_update_dashboard_and_audit(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    screenshot(page, "login")
    sign_in(page, server.url)
    expect(page.get_by_role("heading", name="Your hosts")).to_be_visible()
    home_card = page.locator("article", has_text="home.dyn.example")
    expect(home_card.locator(".badge")).to_have_text("stale")
    expect(home_card).to_contain_text("Never updated")

    page.get_by_role("link", name="home.dyn.example").click()
    expect(page.get_by_role("heading", name="home.dyn.example")).to_be_visible()
    page.get_by_label("Label").fill("router")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("hm_")
    expect(page.locator("#snippet-curl")).to_contain_text(f"home.dyn.example:{token}")
    expect(page.locator("#snippet-homing")).to_contain_text(f'server = "{server.url}"')
    page.locator("button[data-copy='new-token']").click()
    expect(page.locator("button[data-copy='new-token']")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "host")

    answer = httpx.get(
        server.url + "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.7"},
        auth=("home.dyn.example", token),
    )
    assert answer.text == "good 203.0.113.7\n"

    nav(page, "Hosts").click()
    expect(home_card.locator(".badge")).to_have_text("fresh")
    expect(home_card).to_contain_text("203.0.113.7")
    expect(home_card).to_contain_text("from 127.0.0.1 via dyndns2")
    expect(page.locator("article", has_text="office.dyn.example").locator(".badge")).to_have_text(
        "failing"
    )
    screenshot(page, "dashboard")

    nav(page, "Audit").click()
    first = page.locator("table.audit tbody tr").first
    expect(first).to_contain_text("home.dyn.example")
    expect(first).to_contain_text("good")
    expect(first).to_contain_text("203.0.113.7")
    expect(first).to_contain_text("dyndns2")
    screenshot(page, "audit")

    # The token page no longer shows the secret, only its prefix.
    page.goto(server.url + "/hosts/home.dyn.example")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("#tokens")).to_contain_text(token[:7] + "…")


def test_wrong_password_stays_on_the_sign_in_page(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url, password="not-her-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    expect(page).to_have_url(server.url + "/login")
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_form_without_csrf_token_is_refused(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    page.goto(server.url + "/hosts/nas.dyn.example")
    tokens_before = page.locator("#tokens tbody tr").count()
    page.evaluate("document.querySelector('#create-token input[name=csrf]').remove()")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    expect(page.get_by_text("nothing was changed")).to_be_visible()
    page.goto(server.url + "/hosts/nas.dyn.example")
    expect(page.locator("#tokens tbody tr")).to_have_count(tokens_before)


def test_session_expires(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    lifetime = 3
    server, _ = start_server(
        tmp_path_factory.mktemp("expiry"), config=f"web_session_seconds = {lifetime}\n"
    )
    try:
        signed_at = time.time()
        sign_in(page, server.url)
        expect(page.get_by_role("heading", name="Your hosts")).to_be_visible()
        # The test is about the wall clock passing the session's end, not about waiting
        # for a process: nothing but time can make the session old.
        time.sleep(max(0.0, signed_at + lifetime + 1 - time.time()))
        nav(page, "Audit").click()
        expect(page).to_have_url(re.compile(r"/login\?next=%2Faudit&expired=1$"))
        expect(page.get_by_role("alert")).to_have_text(
            "Your session has expired. Please sign in again."
        )
        page.get_by_label("Password").fill("alice-password")
        page.get_by_label("User name").fill("alice")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    finally:
        assert server.stop() == 0, server.log()
