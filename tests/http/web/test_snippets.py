"""Client configuration snippets: the real host, server and token in every one, and valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from homing.client.config import load_client_config
from homing.client.providers.homing import HomingSettings
from homing.http.web.snippets import TOKEN_PLACEHOLDER, Server, dns_server, snippets

TOKEN = "hm_abcdefghijklmnopqrstuvwxyz012345"


def by_key(server: str, token: str | None, *, dns: str = "192.0.2.53") -> dict[str, str]:
    found = snippets(
        server=Server.from_url(server), fqdn="home.dyn.example", user="alice", token=token, dns=dns
    )
    return {s.key: s.text for s in found}


def test_every_client_is_covered_with_host_and_token() -> None:
    texts = by_key("https://ddns.example.net/", TOKEN)
    assert set(texts) == {"curl", "homing", "ddclient", "inadyn", "openwrt", "fritzbox", "duckdns"}
    for key, text in texts.items():
        assert "ddns.example.net" in text, key
        if key != "fritzbox":  # the box fills in <domain> and <pass> itself
            assert "home.dyn.example" in text, key
            assert TOKEN in text, key
    assert texts["curl"] == (
        f"curl -u 'home.dyn.example:{TOKEN}' "
        "'https://ddns.example.net/nic/update?hostname=home.dyn.example'"
    )
    assert texts["duckdns"] == (
        f"https://ddns.example.net/update?domains=home.dyn.example&token={TOKEN}&ip="
    )
    assert texts["fritzbox"] == (
        "https://<username>:<pass>@ddns.example.net"
        "/nic/update?hostname=<domain>&myip=<ipaddr>,<ip6addr>"
    )
    assert "ssl=yes" in texts["ddclient"]
    assert "server=ddns.example.net\n" in texts["ddclient"]


def test_plain_http_with_port_and_placeholder() -> None:
    texts = by_key("http://127.0.0.1:8080", None)
    assert all(TOKEN_PLACEHOLDER in t for k, t in texts.items() if k != "fritzbox")
    assert "ssl=no" in texts["ddclient"]
    assert "ddns-server    = 127.0.0.1:8080" in texts["inadyn"]
    assert "ssl            = false" in texts["inadyn"]
    assert "http://[USERNAME]:[PASSWORD]@127.0.0.1:8080/nic/update?" in texts["openwrt"]


@pytest.mark.parametrize("server", ["https://ddns.example.net", "http://127.0.0.1:8080/"])
def test_homing_client_snippet_is_a_valid_client_config(tmp_path: Path, server: str) -> None:
    path = tmp_path / "client.toml"
    path.write_text(by_key(server, TOKEN)["homing"])
    config = load_client_config(path, environ={})
    (target,) = config.targets
    assert target.name == "home.dyn.example"
    assert isinstance(target.settings, HomingSettings)
    assert target.settings.server == server.rstrip("/")
    assert target.settings.username == "alice"
    assert target.dns_server == ("192.0.2.53", 53)
    assert config.state_file == Path("~/.local/state/homing-client/state.json").expanduser()
    assert config.public_only is not server.startswith("http://127.")


def test_the_dns_server_is_where_dns_listens_or_this_host() -> None:
    public = Server.from_url("https://ddns.example.net")
    assert dns_server(public, (("0.0.0.0", 53),)) == "ddns.example.net"
    assert dns_server(public, (("::", 5353),)) == "ddns.example.net:5353"
    assert dns_server(public, (("192.0.2.53", 53),)) == "192.0.2.53"
    assert dns_server(public, (("2001:db8::53", 5300),)) == "[2001:db8::53]:5300"
    assert dns_server(public, ()) == "ddns.example.net"


def test_a_named_dns_server_is_a_valid_client_config(tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    path.write_text(
        by_key("https://ddns.example.net", TOKEN, dns="ddns.example.net:5353")["homing"]
    )
    (target,) = load_client_config(path, environ={}, state_file=tmp_path / "s.json").targets
    assert target.dns_server == ("ddns.example.net", 5353)
