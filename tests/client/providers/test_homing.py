"""The Homing provider against the real ``homing serve``: the name moves, DNS answers it."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import httpx
import pytest

from homing.client.addresses import Addresses, Family
from homing.client.check import check_name
from homing.client.config import Target
from homing.client.detect.web import WebSettings
from homing.client.errors import DetectionError
from homing.client.http import new_http_client
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.homing import HomingSettings

from ...integration.server import ServerProcess

V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with new_http_client(timeout=5.0) as client:
        yield client


def _target(settings: HomingSettings, dns: tuple[str, int]) -> Target:
    return Target(
        key="homing:home.dyn.example",
        name="home.dyn.example",
        provider="homing",
        families=frozenset(Family),
        settings=settings,
        fingerprint="f",
        dns_server=dns,
    )


async def test_update_moves_the_name_and_check_sees_it(
    served: tuple[ServerProcess, str], http: httpx.AsyncClient
) -> None:
    server, token = served
    settings = HomingSettings(server=server.url, username="alice", token=Secret(token))
    provider = settings.build(http)
    target = _target(settings, server.dns)
    before = await check_name(target, Addresses(ipv4=V4, ipv6=V6))
    assert not before.ok
    first = await provider.update("home.dyn.example", Addresses(ipv4=V4, ipv6=V6))
    again = await provider.update("home.dyn.example", Addresses(ipv4=V4, ipv6=V6))
    assert (first.kind, first.text) == (AnswerKind.UPDATED, f"good {V4},{V6}")
    assert again.kind is AnswerKind.UNCHANGED
    after = await check_name(target, Addresses(ipv4=V4, ipv6=V6))
    assert after.ok, after
    assert after.found == {Family.IPV4: {str(V4)}, Family.IPV6: {str(V6)}}
    moved = await check_name(target, Addresses(ipv4=ipaddress.IPv4Address("93.184.216.35")))
    assert not moved.ok and moved.problem is None


async def test_wrong_token_is_rejected_and_changes_nothing(
    served: tuple[ServerProcess, str], http: httpx.AsyncClient
) -> None:
    server, _ = served
    settings = HomingSettings(server=server.url, username="alice", token=Secret("wrong"))
    answer = await settings.build(http).update("home.dyn.example", Addresses(ipv4=V4))
    assert (answer.kind, answer.text) == (AnswerKind.REJECTED, "badauth")
    found = await check_name(_target(settings, server.dns), Addresses(ipv4=V4))
    assert found.found[Family.IPV4] == frozenset()


async def test_its_ip_echo_is_asked_and_a_loopback_answer_refused(
    served: tuple[ServerProcess, str],
) -> None:
    server, token = served
    settings = HomingSettings(server=server.url, username="alice", token=Secret(token))
    web = WebSettings(urls=(), poll_seconds=60).with_first((settings.ip_url,))
    source = web.build(family=Family.IPV4, public_only=False, timeout=5.0)
    try:
        with pytest.raises(DetectionError, match=r"127\.0\.0\.1 cannot be published"):
            await source.detect()
    finally:
        await source.aclose()
