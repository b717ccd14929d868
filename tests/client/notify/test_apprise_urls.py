"""Apprise URLs (optional extra): an event reaches a local receiver through apprise's json://."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from homing.client.config import load_client_config
from homing.client.notify import Event, EventKind
from homing.client.notify.apprise_urls import AppriseUrls, available
from homing.errors import ConfigError

from ..standins import HttpStandIn, text

# apprise imports the standard library's imghdr, deprecated since 3.11.
pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

if not available():
    if os.environ.get("CI") == "true":
        pytest.fail("apprise is not installed (the test extra installs it)", pytrace=False)
    pytest.skip("apprise is not installed", allow_module_level=True)


async def test_an_event_arrives_through_apprise() -> None:
    async with HttpStandIn(text("OK")) as receiver:
        host = receiver.url.removeprefix("http://")
        await AppriseUrls((f"json://{host}/notify",)).deliver(
            Event(kind=EventKind.STOPPED, at=0.0, name="home.example.net", answer="badauth")
        )
    [seen] = receiver.seen
    body = json.loads(seen.body)
    assert seen.path == "/notify"
    assert body["title"] == "homing client: home.example.net stopped"
    assert "badauth" in body["message"]


def test_an_unknown_url_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    path.write_text(
        '[ipv4]\nsource = "web"\n[notify]\napprise_urls = ["nonsense://x"]\n'
        '[[update]]\nprovider = "duckdns"\ntoken = "t"\nnames = ["home"]\n'
    )
    with pytest.raises(ConfigError, match=r"client.toml:4: notify.apprise_urls: apprise does not"):
        load_client_config(path)
