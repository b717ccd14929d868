"""The pages issue 15 added or changed, in Chromium at 1280 and 390 px: the dashboard's
search, filter and pages, API tokens on the Tokens page, the docs page with its way back, the
records table and the navigation on a phone (element sizes asserted, not only screenshots)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from integration.server import ServerProcess, homing

from .conftest import (
    DESKTOP,
    PHONE,
    ROOT_PASSWORD,
    SCREENSHOTS,
    Seeded,
    screenshot,
    sign_in,
    start_server,
)

EXTRA_HOSTS = 60


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Seeded]]:
    server, seeded = start_server(tmp_path_factory.mktemp("web-scale"))
    secret = homing(seeded.data, "apitoken", "create", "--user", "alice", "--name", "seed")
    bearer = {"Authorization": f"Bearer {secret.stdout.strip().splitlines()[-1]}"}
    names = [{"name": f"cam{i:02d}.dyn.example"} for i in range(EXTRA_HOSTS)]
    with httpx.Client(base_url=server.url, headers=bearer) as client:
        assert client.post("/api/v1/hosts", json={"hosts": names}).status_code == 201
        nas = ("nas.dyn.example", seeded.tokens["nas.dyn.example"])
        answer = client.get("/nic/update", params={"myip": "192.0.2.10,2001:db8::10"}, auth=nas)
        assert answer.text.startswith("good")
        # office's router has nas's token: refused after a valid credential, so failing.
        refused = client.get(
            "/nic/update", params={"hostname": "office.dyn.example", "myip": "192.0.2.3"}, auth=nas
        )
        assert refused.text == "nohost\n"
    yield server, seeded
    assert server.stop() == 0, server.log()


def test_dashboard_pages_searches_and_filters(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    expect(page.locator("#host-counts")).to_contain_text("62 hosts · 1 failing")
    expect(page.locator("article.host-card")).to_have_count(48)
    expect(page.locator("article.host-card").first).to_contain_text("cam00.dyn.example")
    screenshot(page, "dashboard-page-1")
    page.get_by_role("link", name="Next page →").click()
    expect(page.locator("article.host-card")).to_have_count(62 - 48)
    expect(page.locator("article.host-card").last).to_contain_text("office.dyn.example")
    page.get_by_role("link", name="← First page").click()
    page.get_by_label("Search").fill("NAS")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("article.host-card")).to_have_count(1)
    expect(page.locator("article.host-card")).to_contain_text("192.0.2.10")
    screenshot(page, "dashboard-search")
    page.goto(server.url + "/")
    page.get_by_role("link", name="Failing (1)").click()
    expect(page.locator("article.host-card")).to_have_count(1)
    expect(page.locator("article.host-card .badge")).to_have_text("failing")
    expect(page.get_by_role("link", name="Failing (1)")).to_have_attribute("aria-current", "page")


def test_api_tokens_on_the_tokens_page_and_the_box_shows_the_whole_token(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    page.goto(server.url + "/tokens")
    form = page.locator("#create-api-token")
    form.get_by_label("Name").fill("backup script")
    form.get_by_label("Expires").select_option("90d")
    form.get_by_role("button", name="Create API token").click()
    box = page.locator("#new-token")
    token = box.inner_text()
    assert token.startswith("hm_api_")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        fits = box.evaluate(
            "e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight"
        )
        assert fits, f"the token is cut off at {size['width']} px"
    page.set_viewport_size(DESKTOP)
    screenshot(page, "tokens-new-api-token")
    answer = httpx.get(server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["name"] == "alice"
    page.reload()  # the redirect's GET: a reload shows the list, not the secret, and posts nothing
    expect(page.locator("#new-token")).to_have_count(0)
    row = page.locator("table.api-tokens tr", has_text="backup script")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_have_text("API token revoked.")
    assert (
        httpx.get(
            server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


def test_api_docs_look_like_the_product_and_lead_back(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    page.goto(server.url + "/api/v1/docs")
    expect(page.locator(".brand")).to_have_text("⌂ Homing")
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    main_font = page.evaluate("getComputedStyle(document.documentElement).fontFamily")
    assert body_font == main_font and "system-ui" in main_font
    expect(page.locator("details.api-op")).to_have_count(29)
    screenshot(page, "api-docs")
    page.get_by_role("link", name="← Back to Homing").click()
    expect(page.get_by_role("heading", name="Your hosts")).to_be_visible()
    favicon = httpx.get(server.url + "/favicon.ico")
    assert favicon.status_code == 200 and favicon.headers["content-type"] == "image/x-icon"


def test_records_table_and_navigation_at_390_px_break_no_word(
    page: Page, served: tuple[ServerProcess, Seeded]
) -> None:
    server, _ = served
    sign_in(page, server.url)
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/hosts/nas.dyn.example")
    cells = page.locator("table.records td.name, table.records code.addr")
    expect(cells).to_have_count(4)  # the A and AAAA rows: a name and an address each
    for i in range(cells.count()):
        cell = cells.nth(i)
        shape = cell.evaluate(
            "e => ({lines: e.getClientRects().length, width: e.getBoundingClientRect().width,"
            " scroll: e.scrollWidth, client: e.clientWidth, row: e.closest('tr').clientWidth})"
        )
        assert shape["lines"] == 1, (cell.inner_text(), shape)  # one line box: not broken
        assert shape["scroll"] <= shape["client"] or shape["client"] == 0, shape
        assert shape["width"] <= shape["row"], shape  # inside its row, not past the screen
    document = page.evaluate("document.documentElement.scrollWidth")
    assert document <= PHONE["width"], "the page scrolls sideways"
    hosts = page.get_by_role("navigation", name="Main").get_by_role("link", name="Hosts")
    sign_out = page.get_by_role("button", name="Sign out")
    assert hosts.bounding_box()["y"] == sign_out.bounding_box()["y"]  # type: ignore[index]
    menu = page.get_by_role("navigation", name="Main")
    assert menu.evaluate("e => e.scrollWidth <= e.clientWidth"), "the menu is cut off"
    page.screenshot(path=str(SCREENSHOTS / "host-records-390-top.png"))
    screenshot(page, "host-records-390")
    page.goto(server.url + "/account")
    expect(page.locator("#role")).to_contain_text("user: your own hosts")


def test_operator_view_and_a_hosts_week(page: Page, served: tuple[ServerProcess, Seeded]) -> None:
    server, _ = served
    sign_in(page, server.url, ROOT_PASSWORD, user="root")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Server").click()
    expect(page.get_by_role("heading", name="Server")).to_be_visible()
    expect(page.locator("figure.chart svg")).to_have_count(3)
    expect(page.locator("table.zones")).to_contain_text("dyn.example")
    expect(page.locator("#activity")).to_contain_text("DNS queries")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        widths = page.locator("figure.chart svg").evaluate_all(
            "all => all.map(e => e.getBoundingClientRect().width)"
        )
        assert all(0 < w <= size["width"] for w in widths), widths
    page.set_viewport_size(DESKTOP)
    screenshot(page, "server")
    page.goto(server.url + "/hosts/nas.dyn.example")
    week = page.locator("#addresses")
    expect(week.locator("g.segment")).to_have_count(2)  # its IPv4 and IPv6 address
    expect(week).to_contain_text("192.0.2.10")
    screenshot(page, "host-week")
