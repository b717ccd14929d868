"""Start-up repair: a record changed behind the client's back is pushed again, by DNS or API."""

from __future__ import annotations

import base64
import ipaddress
import logging
import sys
from pathlib import Path

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from homing.client.addresses import Addresses, Family
from homing.client.config import ClientConfig, load_client_config
from homing.client.daemon import Client
from homing.client.policy import Action
from homing.client.repair import stale_families
from homing.client.state import StateFile, TargetState

from .standins import CloudflareAccount, DnsStandIn, Dyndns2Account, HttpStandIn

V4 = "93.184.216.34"
SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
COMMAND = f'source = "command"\ncommand = ["{sys.executable}", "-c", "print(\'{V4}\')"]\n'


def _dyndns2(tmp_path: Path, url: str, dns_server: tuple[str, int]) -> ClientConfig:
    path = tmp_path / "client.toml"
    path.write_text(
        f'state_file = "{tmp_path / "state.json"}"\n'
        f"[ipv4]\n{COMMAND}"
        "[[update]]\n"
        'provider = "dyndns2"\n'
        f'server = "{url}"\n'
        'username = "alice"\n'
        'password = "secret"\n'
        'names = ["home.example.net"]\n'
        f'dns_server = "{dns_server[0]}:{dns_server[1]}"\n'
    )
    return load_client_config(path)


def _publish(server: DnsStandIn, address: str) -> None:
    name = dns.name.from_text("home.example.net")
    rrset = dns.rrset.from_text(name, 60, dns.rdataclass.IN, dns.rdatatype.A, address)
    server.rrsets[(name, dns.rdatatype.A)] = rrset


def _remember(config: ClientConfig, address: str) -> None:
    """Write a state file that says ``address`` was published (as after an earlier run)."""
    states = StateFile.load(config.state_file)
    for target in config.targets:
        published = Addresses(ipv4=ipaddress.IPv4Address(address))
        states.put(target.key, TargetState(fingerprint=target.fingerprint, published=published))


@pytest.mark.parametrize(
    ("in_dns", "pushed"),
    [
        ("198.51.100.7", True),  # changed behind our back: repaired
        (V4, False),  # as the state says: nothing sent
    ],
)
async def test_once_repairs_a_record_that_dns_shows_changed(
    tmp_path: Path, in_dns: str, pushed: bool
) -> None:
    account = Dyndns2Account(hosts={"home.example.net": in_dns})
    async with (
        DnsStandIn("example.net", "home-key", SECRET) as dns_server,
        HttpStandIn(account.handle) as provider,
    ):
        _publish(dns_server, in_dns)
        config = _dyndns2(tmp_path, provider.url, dns_server.address)
        _remember(config, V4)
        async with Client(config) as client:
            outcomes = await client.once()
    assert [o.decision.action for o in outcomes] == [Action.DONE]
    assert [s.params.get("myip") for s in provider.seen] == ([V4] if pushed else [])
    assert account.hosts["home.example.net"] == V4


async def test_unreadable_dns_trusts_the_state(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with DnsStandIn("example.net", "k", SECRET) as gone:
        address = gone.address  # closed again: nobody answers there
    account = Dyndns2Account()
    async with HttpStandIn(account.handle) as provider:
        config = _dyndns2(tmp_path, provider.url, address)
        _remember(config, V4)
        with caplog.at_level(logging.WARNING, logger="homing.client.repair"):
            async with Client(config) as client:
                outcomes = await client.once()
    assert [o.decision.action for o in outcomes] == [Action.DONE]
    assert provider.seen == []
    assert "cannot read what the provider publishes" in caplog.text


async def test_cloudflare_is_read_through_its_api_and_repaired(tmp_path: Path) -> None:
    account = CloudflareAccount()
    record_id = account.add_record(type="A", name="home.example.net", content="198.51.100.7")
    async with HttpStandIn(account.handle) as api:
        path = tmp_path / "client.toml"
        path.write_text(
            f'state_file = "{tmp_path / "state.json"}"\n'
            f"[ipv4]\n{COMMAND}"
            "[[update]]\n"
            'provider = "cloudflare"\n'
            f'api_url = "{api.url}/client/v4"\n'
            'token = "cf-token"\n'
            'names = ["home.example.net"]\n'
        )
        config = load_client_config(path)
        _remember(config, V4)
        async with Client(config) as client:
            outcomes = await client.once()
    assert [o.decision.action for o in outcomes] == [Action.DONE]
    assert account.records[record_id]["content"] == V4
    assert [s.method for s in api.seen if "dns_records" in s.path] == ["GET", "GET", "PATCH"]


def test_stale_families() -> None:
    state = TargetState(
        fingerprint="f",
        published=Addresses(
            ipv4=ipaddress.IPv4Address(V4), ipv6=ipaddress.IPv6Address("2606:2800:220:1::1")
        ),
    )
    assert stale_families(state, {Family.IPV4: frozenset({V4})}) == []
    assert stale_families(state, {Family.IPV4: frozenset()}) == [Family.IPV4]
    both = {
        Family.IPV4: frozenset({V4, "192.0.2.1"}),
        Family.IPV6: frozenset({"2606:2800:220:1::1"}),
    }
    assert stale_families(state, both) == [Family.IPV4]
