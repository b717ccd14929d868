"""dyndns2 against a stand-in speaking Dyn's protocol: what is sent, and what is concluded."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response

from homing.client.addresses import Addresses
from homing.client.http import USER_AGENT
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.dyndns2 import Dyndns2Settings, parse_body, parse_line

from ..standins import Dyndns2Account, HttpStandIn, text

V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")


def _settings(url: str, password: str = "secret") -> Dyndns2Settings:
    return Dyndns2Settings(url=f"{url}/nic/update", username="alice", password=Secret(password))


async def test_good_then_nochg_with_what_was_sent(http: httpx.AsyncClient) -> None:
    account = Dyndns2Account()
    async with HttpStandIn(account.handle) as server:
        provider = _settings(server.url).build(http)
        first = await provider.update("home.example.net", Addresses(ipv4=V4, ipv6=V6))
        second = await provider.update("home.example.net", Addresses(ipv4=V4, ipv6=V6))
    assert first.kind is AnswerKind.UPDATED
    assert first.text == f"good {V4},{V6}"
    assert second.kind is AnswerKind.UNCHANGED
    request = server.seen[0]
    assert request.path == "/nic/update"
    assert request.params == {"hostname": "home.example.net", "myip": f"{V4},{V6}"}
    assert request.basic == ("alice", "secret")
    assert request.headers["user-agent"] == USER_AGENT
    assert account.hosts["home.example.net"] == f"{V4},{V6}"


async def test_badauth_and_nohost_are_rejections(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(Dyndns2Account().handle) as server:
        wrong = (
            await _settings(server.url, "wrong")
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
        unknown = (
            await _settings(server.url).build(http).update("other.example.net", Addresses(ipv4=V4))
        )
    assert (wrong.kind, wrong.text) == (AnswerKind.REJECTED, "badauth")
    assert (unknown.kind, unknown.text) == (AnswerKind.REJECTED, "nohost")


@pytest.mark.parametrize(
    ("body", "status", "headers", "kind", "words"),
    [
        ("911", 200, None, AnswerKind.SERVER_ERROR, "911"),
        ("dnserr", 200, None, AnswerKind.SERVER_ERROR, "dnserr"),
        ("abuse", 200, None, AnswerKind.REJECTED, "abuse"),
        ("badagent", 200, None, AnswerKind.REJECTED, "badagent"),
        ("notfqdn", 200, None, AnswerKind.REJECTED, "notfqdn"),
        ("numhost", 200, None, AnswerKind.REJECTED, "numhost"),
        ("", 401, None, AnswerKind.REJECTED, "badauth (HTTP 401)"),
        ("<html><body>Bad Gateway</body></html>", 502, None, AnswerKind.FAILED, "HTTP 502"),
        ("<html><body>Welcome!</body></html>", 200, None, AnswerKind.FAILED, "unexpected answer"),
        ("", 200, None, AnswerKind.FAILED, "empty answer (HTTP 200)"),
        ("slow down", 429, {"Retry-After": "120"}, AnswerKind.RATE_LIMITED, "HTTP 429"),
        ("good 192.0.2.99", 200, None, AnswerKind.FAILED, "provider published 192.0.2.99"),
        ("good not-an-address", 200, None, AnswerKind.FAILED, "unexpected answer"),
    ],
)
async def test_each_answer_is_understood(
    http: httpx.AsyncClient,
    body: str,
    status: int,
    headers: dict[str, str] | None,
    kind: AnswerKind,
    words: str,
) -> None:
    async with HttpStandIn(text(body, status, headers)) as server:
        answer = (
            await _settings(server.url).build(http).update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is kind
    assert words in answer.text
    assert "\n" not in answer.text
    if kind is AnswerKind.RATE_LIMITED:
        assert answer.retry_after == 120


async def test_a_hanging_provider_times_out(http: httpx.AsyncClient) -> None:
    async def hang(request: Request) -> Response:
        await server.release.wait()
        return Response("good")

    async with HttpStandIn(hang) as server:
        answer = (
            await _settings(server.url).build(http).update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.FAILED
    assert answer.text == "timed out talking to 127.0.0.1"


async def test_nobody_listening_is_a_failure_not_a_crash(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(text("good")) as server:
        url = server.url
    answer = await _settings(url).build(http).update("home.example.net", Addresses(ipv4=V4))
    assert answer.kind is AnswerKind.FAILED
    assert answer.text.startswith("cannot reach 127.0.0.1")


def test_parse_body_gives_one_answer_per_line() -> None:
    answers = parse_body("good 192.0.2.1\nnochg 192.0.2.1\n\nnohost\n911\n")
    assert [a.kind for a in answers] == [
        AnswerKind.UPDATED,
        AnswerKind.UNCHANGED,
        AnswerKind.REJECTED,
        AnswerKind.SERVER_ERROR,
    ]


@given(st.text(max_size=200))
def test_parse_line_never_crashes_and_only_good_or_nochg_mean_done(line: str) -> None:
    answer = parse_line(line)
    assert "\n" not in answer.text
    if answer.kind.done:
        assert line.strip().split(" ")[0] in {"good", "nochg"}


@given(st.ip_addresses())
def test_parse_line_accepts_good_with_any_address(address: ipaddress._BaseAddress) -> None:
    assert parse_line(f"good {address}").kind is AnswerKind.UPDATED
    assert parse_line(f"nochg {address}").kind is AnswerKind.UNCHANGED
