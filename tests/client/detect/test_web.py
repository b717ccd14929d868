"""Echo services (local stand-ins): fallback, confirmation of a new address, disagreement."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response

from homing.client.addresses import Family
from homing.client.detect.web import DEFAULT_URLS, WebSettings, WebSource, parse_echo_answer
from homing.client.errors import DetectionError
from homing.client.http import USER_AGENT

from ..standins import HttpStandIn, text

A = "93.184.216.34"
B = "93.184.216.35"


@pytest.fixture
async def services() -> AsyncIterator[Callable[..., object]]:
    """Start stand-in echo services; returns a factory taking handlers, giving URLs."""
    async with AsyncExitStack() as stack:
        started: list[HttpStandIn] = []

        async def start(*handlers: object) -> list[HttpStandIn]:
            for handler in handlers:
                started.append(await stack.enter_async_context(HttpStandIn(handler)))  # type: ignore[arg-type]
            return started[-len(handlers) :]

        yield start


def _source(servers: list[HttpStandIn], family: Family = Family.IPV4) -> WebSource:
    urls = tuple(f"{s.url}/ip" for s in servers)
    return WebSettings(urls=urls, poll_seconds=60).build(family=family, public_only=True, timeout=1)


async def test_first_two_agreeing_answers_are_believed(services: Callable[..., object]) -> None:
    servers = await services(text(f"{A}\n"), text(A), text(B))  # type: ignore[operator]
    source = _source(servers)
    try:
        assert str(await source.detect()) == A
        assert len(servers[2].seen) == 0
        assert servers[0].seen[0].headers["user-agent"] == USER_AGENT
        # the same address again needs no second opinion
        assert str(await source.detect()) == A
        assert len(servers[0].seen) == 2 and len(servers[1].seen) == 1
    finally:
        await source.aclose()


async def test_broken_services_fall_back_to_the_next(services: Callable[..., object]) -> None:
    async def hang(request: Request) -> Response:
        await hanging.release.wait()
        return Response(A)

    servers = await services(
        text("<html>502 Bad Gateway</html>", 502),
        hang,
        text(""),
        text("<html><body>oops</body></html>"),
        text("2606:2800:220:1::1"),  # wrong family
        text("192.168.1.1"),  # not public
        text(A),
        text(A),
    )
    hanging = servers[1]
    source = _source(servers)
    try:
        assert str(await source.detect()) == A
    finally:
        await source.aclose()


async def test_disagreement_is_not_published(services: Callable[..., object]) -> None:
    servers = await services(text(A), text(B))  # type: ignore[operator]
    source = _source(servers)
    try:
        with pytest.raises(DetectionError, match=f"echo services disagree: {A} \\(1x\\), {B}"):
            await source.detect()
    finally:
        await source.aclose()


async def test_a_new_address_from_one_service_needs_a_second(
    services: Callable[..., object],
) -> None:
    answers = {"first": A, "second": A}

    async def first(request: Request) -> Response:
        return Response(answers["first"])

    async def second(request: Request) -> Response:
        return Response(answers["second"])

    servers = await services(first, second)  # type: ignore[operator]
    source = _source(servers)
    try:
        assert str(await source.detect()) == A
        answers["first"] = B  # a lying (or faster) first service does not move us
        assert str(await source.detect()) == A
        answers["second"] = B
        assert str(await source.detect()) == B
    finally:
        await source.aclose()


async def test_all_failing_says_why(services: Callable[..., object]) -> None:
    servers = await services(text("", 500), text("not an address"))  # type: ignore[operator]
    source = _source(servers)
    try:
        with pytest.raises(
            DetectionError, match=r"no echo service answered: 127\.0\.0\.1: HTTP 500"
        ):
            await source.detect()
    finally:
        await source.aclose()


async def test_ipv6_service_is_asked_over_ipv6() -> None:
    source = WebSettings(urls=("http://[::1]:9/ip",), poll_seconds=60).build(
        family=Family.IPV6, public_only=True, timeout=1
    )
    try:
        with pytest.raises(DetectionError, match="no echo service answered"):
            await source.detect()
    finally:
        await source.aclose()


def test_defaults_and_homing_first() -> None:
    settings = WebSettings(urls=(), poll_seconds=60).with_first(("https://ddns.example.net/ip",))
    assert settings.urls == ("https://ddns.example.net/ip",)
    given_urls = WebSettings(urls=("https://a.example/",), poll_seconds=60)
    assert given_urls.with_first(("https://b.example/ip",)) is given_urls
    assert all(u.startswith("https://") for urls in DEFAULT_URLS.values() for u in urls)


def test_checkip_format_is_understood() -> None:
    html = (
        "<html><head><title>Current IP Check</title></head>"
        "<body>Current IP Address: 93.184.216.34</body></html>"
    )
    assert str(parse_echo_answer(html, Family.IPV4, public_only=True)) == A


@given(st.text(max_size=80))
def test_parse_echo_answer_accepts_only_public_addresses_of_the_family(body: str) -> None:
    try:
        address = parse_echo_answer(body, Family.IPV4, public_only=True)
    except DetectionError:
        return
    assert address.version == 4 and address.is_global


@given(st.ip_addresses())
def test_parse_echo_answer_on_any_address(address: ipaddress._BaseAddress) -> None:
    for family in Family:
        try:
            found = parse_echo_answer(f"{address}\n", family, public_only=False)
        except DetectionError:
            special = address.is_loopback or address.is_link_local or address.is_multicast
            assert (
                address.version != family.version
                or special
                or address.is_unspecified
                or (
                    isinstance(address, ipaddress.IPv6Address)
                    and (address.ipv4_mapped is not None or address.scope_id is not None)
                )
                or str(address) == "255.255.255.255"
            )
            continue
        assert found == address and found.version == family.version
