"""The wired client tells a local webhook and heartbeat receiver what ``once`` did."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from homing.client.config import load_client_config
from homing.client.daemon import Client

from ..standins import Dyndns2Account, HttpStandIn, text

V4 = "93.184.216.34"


def _config(tmp_path: Path, provider: str, receiver: str, names: str) -> Path:
    path = tmp_path / "client.toml"
    path.write_text(
        f'state_file = "{tmp_path / "state.json"}"\n'
        "[ipv4]\n"
        'source = "command"\n'
        f'command = ["{sys.executable}", "-c", "print(\'{V4}\')"]\n'
        "[notify]\n"
        f'webhook_url = "{receiver}/hook"\n'
        f'heartbeat_url = "{receiver}/ping/abc"\n'
        "failures_before_alert = 1\n"
        "[[update]]\n"
        'provider = "dyndns2"\n'
        f'server = "{provider}"\n'
        'username = "alice"\n'
        'password = "secret"\n'
        f"names = {names}\n"
    )
    return path


async def test_a_change_is_posted_as_json_and_the_pass_pinged(tmp_path: Path) -> None:
    account = Dyndns2Account(hosts={"home.example.net": "192.0.2.1"})
    async with HttpStandIn(account.handle) as provider, HttpStandIn(text("OK")) as receiver:
        config = load_client_config(
            _config(tmp_path, provider.url, receiver.url, '["home.example.net"]')
        )
        async with Client(config) as client:
            await client.once()
        # Leaving the client drains the outbox: both were delivered before it returned.
        hooks = [json.loads(s.body) for s in receiver.seen if s.path == "/hook"]
        pings = [(s.path, s.body) for s in receiver.seen if s.path.startswith("/ping")]
        async with Client(config) as client:
            await client.once()  # nothing changed: no second webhook
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook.pop("at").endswith("Z")
    assert hook == {
        "event": "changed",
        "name": "home.example.net",
        "provider": "dyndns2",
        "old": {},
        "new": {"ipv4": V4},
        "answer": f"good {V4}",
        "failures": 0,
        "detail": "",
    }
    assert pings == [("/ping/abc", b"1 name(s) up to date")]
    assert [s.path for s in receiver.seen].count("/hook") == 1
    assert [s.path for s in receiver.seen].count("/ping/abc") == 2


async def test_a_failing_update_is_posted_and_the_pass_fails(tmp_path: Path) -> None:
    async with HttpStandIn(text("911")) as provider, HttpStandIn(text("OK")) as receiver:
        config = load_client_config(
            _config(tmp_path, provider.url, receiver.url, '["home.example.net"]')
        )
        async with Client(config) as client:
            await client.once()
    [hook] = [json.loads(s.body) for s in receiver.seen if s.path == "/hook"]
    assert (hook["event"], hook["answer"], hook["failures"]) == ("failing", "911", 1)
    [ping] = [s for s in receiver.seen if s.path.startswith("/ping")]
    assert ping.path == "/ping/abc/fail"
    assert ping.body.startswith(b"dyndns2:home.example.net: wait (after 911)")
