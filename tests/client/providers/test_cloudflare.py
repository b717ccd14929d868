"""Cloudflare API v4 against a stand-in keeping zones and records in memory."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.cloudflare import CloudflareSettings
from homing.client.providers.records import zone_candidates

from ..standins import CloudflareAccount, HttpStandIn, text
from .contract import ContractTests, Handler

V4 = ipaddress.IPv4Address("93.184.216.34")
V6 = ipaddress.IPv6Address("2606:2800:220:1::1")


def _settings(url: str, token: str = "cf-token", zone: str | None = None) -> CloudflareSettings:
    return CloudflareSettings(
        api_url=f"{url}/client/v4", token=Secret(token), zone=zone, ttl=120, proxied=False
    )


async def test_creates_missing_records_then_reports_unchanged(http: httpx.AsyncClient) -> None:
    account = CloudflareAccount()
    async with HttpStandIn(account.handle) as server:
        provider = _settings(server.url).build(http)
        first = await provider.update("home.example.net", Addresses(ipv4=V4, ipv6=V6))
        second = await provider.update("home.example.net", Addresses(ipv4=V4, ipv6=V6))
    assert first.kind is AnswerKind.UPDATED
    assert second.kind is AnswerKind.UNCHANGED
    records = sorted(account.records.values(), key=lambda r: r["type"])
    assert [(r["type"], r["name"], r["content"], r["ttl"]) for r in records] == [
        ("A", "home.example.net", str(V4), 120),
        ("AAAA", "home.example.net", str(V6), 120),
    ]
    assert all(s.headers["authorization"] == "Bearer cf-token" for s in server.seen)
    zone_lookups = [s.params["name"] for s in server.seen if s.path == "/client/v4/zones"]
    assert zone_lookups == ["home.example.net", "example.net"]  # then cached


async def test_patch_changes_content_only_keeping_proxied_and_ttl(http: httpx.AsyncClient) -> None:
    account = CloudflareAccount()
    record_id = account.add_record(
        type="A", name="home.example.net", content="198.51.100.1", ttl=300, proxied=True
    )
    async with HttpStandIn(account.handle) as server:
        answer = (
            await _settings(server.url, zone="example.net")
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert account.records[record_id] == {
        "id": record_id,
        "type": "A",
        "name": "home.example.net",
        "content": str(V4),
        "ttl": 300,
        "proxied": True,
    }
    patch = [s for s in server.seen if s.method == "PATCH"]
    assert len(patch) == 1 and patch[0].body == b'{"content":"93.184.216.34"}'


async def test_wrong_token_and_unknown_zone_are_rejections(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(CloudflareAccount().handle) as server:
        wrong = (
            await _settings(server.url, token="nope")
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
        elsewhere = (
            await _settings(server.url).build(http).update("home.example.org", Addresses(ipv4=V4))
        )
    assert wrong.kind is AnswerKind.REJECTED
    assert wrong.text == "HTTP 403: 10000 Authentication error"
    assert elsewhere.kind is AnswerKind.REJECTED
    assert "no zone for home.example.org" in elsewhere.text


@pytest.mark.parametrize(
    ("body", "status", "headers", "kind"),
    [
        ("<html>cloudflare error 1020</html>", 200, None, AnswerKind.FAILED),
        ("", 200, None, AnswerKind.FAILED),
        ("", 502, None, AnswerKind.FAILED),
        ("{}", 429, {"Retry-After": "7"}, AnswerKind.RATE_LIMITED),
        ('{"success": true}', 200, None, AnswerKind.FAILED),
    ],
)
async def test_bad_answers_never_count_as_done(
    http: httpx.AsyncClient,
    body: str,
    status: int,
    headers: dict[str, str] | None,
    kind: AnswerKind,
) -> None:
    async with HttpStandIn(text(body, status, headers)) as server:
        answer = (
            await _settings(server.url).build(http).update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is kind
    if kind is AnswerKind.RATE_LIMITED:
        assert answer.retry_after == 7


def test_zone_candidates() -> None:
    assert zone_candidates("a.b.example.com.") == [
        "a.b.example.com",
        "b.example.com",
        "example.com",
    ]


class CloudflareRecords:
    """The stand-in's own records, as the contract reads and writes them."""

    def __init__(self, account: CloudflareAccount) -> None:
        self._account = account

    def add(self, name: str, type_: str, content: str, ttl: int) -> str:
        return self._account.add_record(type=type_, name=name, content=content, ttl=ttl)

    def view(self, name: str, type_: str) -> list[tuple[str, int]]:
        records = self._account.records.values()
        return sorted(
            (r["content"], r["ttl"]) for r in records if (r["name"], r["type"]) == (name, type_)
        )


class ContractAccount(CloudflareAccount):
    @property
    def store(self) -> CloudflareRecords:
        return CloudflareRecords(self)


class CloudflareCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 120
    secrets = ("cf-token", "cf-wrong-token")

    def account(self) -> ContractAccount:
        return ContractAccount()

    def settings(self, url: str, *, right: bool = True) -> CloudflareSettings:
        return _settings(url, token=self.secrets[0] if right else self.secrets[1])

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            body = {"success": False, "errors": [{"code": 971, "message": "Please wait"}]}
            return JSONResponse(body, 429, {"Retry-After": "30"})

        return limited, 30.0


class TestCloudflareContract(ContractTests):
    case = CloudflareCase()
