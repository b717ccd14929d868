"""Where ``check`` asks: the configured DNS server (an address or a name), else the zone's
servers; a zone delegated nowhere is a message that says what to set (issue 15)."""

from __future__ import annotations

import dns.resolver
import pytest

from homing.client import lookup
from homing.client.addresses import Addresses, Family
from homing.client.check import check_name
from homing.client.config import Target
from homing.client.options import Secret
from homing.client.providers.duckdns import DuckdnsSettings


def target(dns_server: tuple[str, int] | None) -> Target:
    return Target(
        key="test:home.dyn.example",
        name="home.dyn.example",
        provider="test",
        families=frozenset({Family.IPV4}),
        settings=DuckdnsSettings(server="http://127.0.0.1:9", token=Secret("t")),
        fingerprint="f",
        dns_server=dns_server,
    )


async def test_a_configured_address_is_asked_as_it_is() -> None:
    assert await lookup.server_for(target(("127.0.0.1", 5300))) == ("127.0.0.1", 5300)


async def test_a_zone_delegated_nowhere_says_to_set_dns_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_root(_name: str) -> list[tuple[str, int]]:
        # What the system resolver answers for an undelegated zone (no network here).
        raise dns.resolver.NoRootSOA

    monkeypatch.setattr(lookup, "authoritative_servers", no_root)
    result = await check_name(target(None), Addresses())
    assert not result.ok
    assert result.problem is not None
    assert "not be delegated yet; set dns_server" in result.problem
    assert "SOA RR at the DNS root" not in result.problem
