"""DuckDNS against a stand-in speaking its ``/update`` API."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homing.client.addresses import Addresses
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.duckdns import DuckdnsSettings, domain_label, parse_answer

from ..standins import DuckdnsAccount, HttpStandIn, text

V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")


async def test_update_then_nochange(http: httpx.AsyncClient) -> None:
    account = DuckdnsAccount()
    async with HttpStandIn(account.handle) as server:
        provider = DuckdnsSettings(server=server.url, token=Secret("duck-token")).build(http)
        first = await provider.update("home.duckdns.org", Addresses(ipv4=V4, ipv6=V6))
        second = await provider.update("home.duckdns.org", Addresses(ipv4=V4, ipv6=V6))
        wrong = (
            await DuckdnsSettings(server=server.url, token=Secret("nope"))
            .build(http)
            .update("home.duckdns.org", Addresses(ipv4=V4))
        )
    assert first.kind is AnswerKind.UPDATED
    assert second.kind is AnswerKind.UNCHANGED
    assert wrong.kind is AnswerKind.REJECTED
    assert server.seen[0].path == "/update"
    assert server.seen[0].params == {
        "domains": "home",
        "token": "duck-token",
        "ip": str(V4),
        "ipv6": str(V6),
        "verbose": "true",
    }
    assert account.domains["home"] == (str(V4), str(V6))


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ("", 200, AnswerKind.FAILED),
        ("<html>maintenance</html>", 503, AnswerKind.FAILED),
        ("<html>hello</html>", 200, AnswerKind.FAILED),
        ("KO", 200, AnswerKind.REJECTED),
        ("", 429, AnswerKind.RATE_LIMITED),
    ],
)
async def test_bad_answers(
    http: httpx.AsyncClient, body: str, status: int, kind: AnswerKind
) -> None:
    async with HttpStandIn(text(body, status)) as server:
        provider = DuckdnsSettings(server=server.url, token=Secret("t")).build(http)
        answer = await provider.update("home", Addresses(ipv4=V4))
    assert answer.kind is kind


def test_domain_label() -> None:
    assert domain_label("Home.DuckDNS.org.") == "home"
    assert domain_label("home") == "home"
    assert domain_label("home.example.net") == "home.example.net"


@given(st.text(max_size=100))
def test_parse_answer_is_total(body: str) -> None:
    answer = parse_answer(body)
    if answer.kind.done:
        assert body.strip().splitlines()[0].strip() == "OK"
