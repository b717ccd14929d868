"""A real ``homing serve`` on 127.0.0.1 and Debian's Chromium driven by Playwright.

The browser is never downloaded: Playwright launches /usr/bin/chromium with
flags that keep it off the network (no background requests, every host name
but loopback unresolvable). Screenshots land in tests/e2e/screenshots/
(ignored by git) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from integration.server import ServerProcess, homing
from support import require_tool

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "alice-password"
ROOT_PASSWORD = "root-password"


@dataclass
class Seeded:
    data: Path
    tokens: dict[str, str]


def seed(data: Path) -> Seeded:
    """A zone, an admin, the user alice and two of her hosts, made with the CLI as an operator
    would (her third host, home, she makes herself in the browser)."""
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    homing(data, "user", "add", "root", "--admin", "--password-stdin", stdin=ROOT_PASSWORD + "\n")
    homing(data, "user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    tokens = {}
    for host in ("nas.dyn.example", "office.dyn.example"):
        out = homing(data, "host", "add", host, "--owner", "alice").stdout
        tokens[host] = out.strip().splitlines()[-1]
    return Seeded(data=data, tokens=tokens)


def start_server(tmp: Path, *, config: str | None = None) -> tuple[ServerProcess, Seeded]:
    seeded = seed(tmp / "data")
    config_path = None
    if config is not None:
        config_path = tmp / "homing.toml"
        config_path.write_text(config)
    return ServerProcess(seeded.data, config=config_path).start(), seeded


@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    # Module scope: the sync API keeps an event loop running until it exits, which
    # would break the asyncio tests that run after this module.
    require_tool("chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(
        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Page, name: str) -> None:
    """The page at desktop and at phone width (full length), then back to desktop."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def sign_in(page: Page, url: str, password: str = PASSWORD, *, user: str = "alice") -> None:
    page.goto(url + "/")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
