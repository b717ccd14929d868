"""RFC 2136 UPDATE with TSIG against a stand-in primary that verifies the signature."""

from __future__ import annotations

import base64
import ipaddress

import dns.name
import dns.rdatatype

from homing.client.addresses import Addresses
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.rfc2136 import Rfc2136Settings

from ..standins import DnsStandIn

SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")


def _settings(address: tuple[str, int], secret: str = SECRET) -> Rfc2136Settings:
    return Rfc2136Settings(
        host=address[0],
        port=address[1],
        zone="example.net",
        key_name="home-key",
        key_algorithm="hmac-sha256",
        key_secret=Secret(secret),
        ttl=60,
        timeout=2.0,
    )


async def test_signed_update_replaces_both_rrsets() -> None:
    async with DnsStandIn("example.net", "home-key", SECRET) as server:
        provider = _settings(server.address).build(None)  # type: ignore[arg-type]
        answer = await provider.update("home.example.net", Addresses(ipv4=V4, ipv6=V6))
        again = await provider.update(
            "home.example.net", Addresses(ipv4=ipaddress.IPv4Address("93.184.216.35"), ipv6=V6)
        )
    assert answer.kind is AnswerKind.UPDATED
    assert again.kind is AnswerKind.UPDATED
    name = dns.name.from_text("home.example.net")
    assert {r.to_text() for r in server.rrsets[(name, dns.rdatatype.A)]} == {"93.184.216.35"}
    assert {r.to_text() for r in server.rrsets[(name, dns.rdatatype.AAAA)]} == {str(V6)}
    assert server.updates[0].had_tsig
    assert server.updates[0].keyname == dns.name.from_text("home-key")


async def test_wrong_key_is_a_rejection() -> None:
    wrong = base64.b64encode(b"another secret, not the right one").decode()
    async with DnsStandIn("example.net", "home-key", SECRET) as server:
        answer = (
            await _settings(server.address, wrong)
            .build(None)
            .update(  # type: ignore[arg-type]
                "home.example.net", Addresses(ipv4=V4)
            )
        )
    assert answer.kind is AnswerKind.REJECTED
    assert answer.text == "NOTAUTH (PeerBadSignature)"
    assert server.rrsets == {}


async def test_no_server_is_a_failure() -> None:
    async with DnsStandIn("example.net", "home-key", SECRET) as server:
        address = server.address
    answer = (
        await _settings(address)
        .build(None)
        .update(  # type: ignore[arg-type]
            "home.example.net", Addresses(ipv4=V4)
        )
    )
    assert answer.kind is AnswerKind.FAILED
    assert answer.text.startswith("cannot reach 127.0.0.1")
