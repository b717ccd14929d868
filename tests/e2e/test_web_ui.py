"""The web UI in a real browser against a real server: the owner's main path and its refusals."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import dns.message
import dns.query
import dns.rcode
import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from integration.server import ServerProcess

from .conftest import (
    DESKTOP,
    ROOT_PASSWORD,
    Seeded,
    screenshot,
    sign_in,
    start_server,
)


def nav(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Seeded]]:
    server, seeded = start_server(
        tmp_path_factory.mktemp("web"), config="web_self_registration = true\n"
    )
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


def test_sign_in_create_host_copy_token_update_dashboard_and_audit(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    screenshot(page, "login")
    sign_in(page, server.url)
    expect(page.get_by_role("heading", name="Your hosts")).to_be_visible()
    expect(page.locator("article", has_text="home.dyn.example")).to_have_count(0)

    page.get_by_role("link", name="Add a host").click()
    expect(page.get_by_role("heading", name="Add a host")).to_be_visible()
    page.get_by_label("Name").fill("home")
    page.get_by_label("Notes").fill("The router in the hall")
    screenshot(page, "host-new")
    page.get_by_role("button", name="Add host").click()
    expect(page.get_by_role("heading", name="home.dyn.example")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("home.dyn.example is yours.")
    expect(page.locator(".notes")).to_have_text("The router in the hall")
    token = page.locator("#new-token").inner_text()
    assert token.startswith("hm_")
    expect(page.locator("#snippet-curl")).to_contain_text(f"home.dyn.example:{token}")
    expect(page.locator("#snippet-homing")).to_contain_text(f'server = "{server.url}"')
    page.locator("button[data-copy='new-token']").click()
    expect(page.locator("button[data-copy='new-token']")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == token
    screenshot(page, "host")

    nav(page, "Hosts").click()
    home_card = page.locator("article", has_text="home.dyn.example")
    expect(home_card.locator(".badge")).to_have_text("new")
    expect(home_card).to_contain_text("Never updated")

    answer = httpx.get(
        server.url + "/nic/update",
        params={"hostname": "home.dyn.example", "myip": "203.0.113.7"},
        auth=("home.dyn.example", copied),
    )
    assert answer.text == "good 203.0.113.7\n"

    page.reload()
    expect(home_card.locator(".badge")).to_have_text("fresh")
    expect(home_card).to_contain_text("203.0.113.7")
    expect(home_card).to_contain_text("from 127.0.0.1 via dyndns2")
    expect(home_card.locator("rect.mark.change")).to_have_count(1)
    expect(page.locator("article", has_text="office.dyn.example").locator(".badge")).to_have_text(
        "failing"
    )
    screenshot(page, "dashboard")

    page.get_by_role("link", name="home.dyn.example").click()
    expect(page.locator("ol.history li").first).to_contain_text("good")
    expect(page.locator("ol.history li").first).to_contain_text("203.0.113.7")

    nav(page, "Audit").click()
    first = page.locator("table.audit tbody tr").first
    expect(first).to_contain_text("home.dyn.example")
    expect(first).to_contain_text("good")
    expect(first).to_contain_text("203.0.113.7")
    expect(first).to_contain_text("dyndns2")
    screenshot(page, "audit")

    # The host page no longer shows the secret, only its prefix.
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


def ask(server: ServerProcess, name: str, rtype: str) -> dns.message.Message:
    """Ask the server's own nameserver, on loopback."""
    host, port = server.dns
    return dns.query.udp(dns.message.make_query(name, rtype), host, port=port, timeout=5)


def test_edit_records_and_ttl_then_delete_a_host(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    page.goto(server.url + "/hosts/office.dyn.example")
    page.locator(".edit-links").get_by_role("link", name="A", exact=True).click()
    expect(page.get_by_role("heading", name="A records of office.dyn.example")).to_be_visible()
    page.get_by_label("Values, one per line").fill("192.0.2.50\n192.0.2.51")
    screenshot(page, "records")
    page.get_by_role("button", name="Save A records").click()
    expect(page.get_by_role("status")).to_have_text("Records saved.")
    expect(page.locator("table.plain").first).to_contain_text("192.0.2.51")
    answer = ask(server, "office.dyn.example", "A")
    assert sorted(r.to_text() for rrset in answer.answer for r in rrset) == [
        "192.0.2.50",
        "192.0.2.51",
    ]

    page.get_by_label("TTL (seconds)").fill("300")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("TTL and notes saved.")
    assert ask(server, "office.dyn.example", "A").answer[0].ttl == 300

    page.get_by_role("link", name="Delete office.dyn.example…").click()
    expect(page.get_by_role("heading", name="Delete office.dyn.example?")).to_be_visible()
    screenshot(page, "confirm-delete")
    page.get_by_label("to confirm").fill("office")
    page.get_by_role("button", name="Delete office.dyn.example").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was deleted")
    assert ask(server, "office.dyn.example", "A").answer
    page.get_by_label("to confirm").fill("office.dyn.example")
    page.get_by_role("button", name="Delete office.dyn.example").click()
    expect(page.get_by_role("status")).to_have_text("Host deleted.")
    expect(page.locator("article", has_text="office.dyn.example")).to_have_count(0)
    assert ask(server, "office.dyn.example", "A").rcode() == dns.rcode.NXDOMAIN


def test_token_list_and_alert_settings(page: Page, served: tuple[ServerProcess, Seeded]) -> None:
    server, seeded = served
    sign_in(page, server.url)
    nav(page, "Tokens").click()
    expect(page.get_by_role("heading", name="Update tokens")).to_be_visible()
    nas_token = seeded.tokens["nas.dyn.example"]
    row = page.locator("tr", has_text=nas_token[:7] + "…")
    expect(row).to_contain_text("nas.dyn.example")
    screenshot(page, "tokens")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_have_text("Token revoked.")
    expect(page.locator("tr", has_text=nas_token[:7] + "…")).to_contain_text("revoked")
    refused = httpx.get(server.url + "/nic/update", auth=("nas.dyn.example", nas_token))
    assert refused.text == "badauth\n"

    nav(page, "Alerts").click()
    page.get_by_label("Email address").fill("alice@example.net")
    # A loopback webhook could never be called (alert_webhook_private is off): refused when
    # saved, with nothing saved, rather than failing at every alert later.
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/hook")
    page.get_by_label("A host has had no update for a while").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("not a public address")
    page.get_by_label("Webhook URL").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Alert settings saved.")
    expect(page.get_by_label("A host has had no update for a while")).to_be_checked()
    page.get_by_role("button", name="Send test alert").click()
    results = page.locator("#test-results + ul")
    expect(results).to_contain_text("email alice@example.net: no SMTP server configured")
    screenshot(page, "alerts")
    page.reload()  # the results were shown once: a reload sends nothing again
    expect(page.locator("#test-results + ul")).to_have_count(0)


def test_admin_invites_a_user_who_chooses_a_password(
    page: Page, browser: Browser, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url, ROOT_PASSWORD, user="root")
    nav(page, "Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.locator("#new-user").get_by_label("User name").fill("carol")
    page.get_by_role("button", name="Add user").click()
    link = page.locator("#invitation-link").inner_text()
    assert link.startswith(server.url + "/invite/")
    expect(page.locator("tr", has_text="carol")).to_contain_text("invited")
    screenshot(page, "users")

    context = browser.new_context(viewport=DESKTOP)
    try:
        invitee = context.new_page()
        invitee.goto(link)
        expect(invitee.get_by_role("heading", name="Welcome, carol")).to_be_visible()
        screenshot(invitee, "invite")
        invitee.locator("input[name=password]").fill("carol-password")
        invitee.locator("input[name=repeat_password]").fill("carol-password")
        invitee.get_by_role("button", name="Set password and sign in").click()
        expect(invitee.get_by_role("status")).to_contain_text("Welcome to Homing.")
        expect(invitee.get_by_role("heading", name="Your hosts")).to_be_visible()
        invitee.goto(link)
        expect(invitee.get_by_text("has been used already")).to_be_visible()
    finally:
        context.close()
    page.reload()
    expect(page.locator("tr", has_text="carol")).not_to_contain_text("invited")


def test_sign_up_when_self_registration_is_on(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    page.goto(server.url + "/login")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("User name").fill("dora")
    page.locator("input[name=password]").fill("dora-password")
    page.locator("input[name=repeat_password]").fill("dora-password")
    screenshot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your hosts")).to_be_visible()
    expect(page.get_by_text("No hosts yet")).to_be_visible()
    screenshot(page, "dashboard-empty")
