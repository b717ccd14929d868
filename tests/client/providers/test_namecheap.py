"""Namecheap Dynamic DNS against a stand-in answering its XML, declaration quirk included."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import Response

from homing.client.addresses import Addresses, Family
from homing.client.providers import AnswerKind
from homing.client.providers.namecheap import NamecheapSettings, parse_answer

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler, limited_429, parsed
from .zonestore import ZoneStore

PASSWORD = "0123456789abcdef0123456789abcdef"
LAUGHS = (
    '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]><interface-response><ErrCount>0</ErrCount><IP>&i;</IP></interface-response>"
)

ANSWER = """<?xml version="1.0" encoding="utf-16"?>
<interface-response>
  <Command>SETDNSHOST</Command>
  <Language>eng</Language>
  <IP>{ip}</IP>
  <ErrCount>{count}</ErrCount>
  <errors>{errors}</errors>
  <ResponseCount>{count}</ResponseCount>
  <responses>{responses}</responses>
  <Done>true</Done>
  <debug><![CDATA[]]></debug>
</interface-response>"""


def xml_answer(ip: str = "", error: str | None = None, number: str = "304156") -> str:
    if error is None:
        return ANSWER.format(ip=ip, count=0, errors="", responses="")
    response = (
        f"<response><Description>{error}</Description>"
        f"<ResponseNumber>{number}</ResponseNumber>"
        "<ResponseString>Validation error</ResponseString></response>"
    )
    return ANSWER.format(ip="", count=1, errors=f"<Err1>{error}</Err1>", responses=response)


def _xml(body: str) -> Response:
    return Response(body, media_type="text/html")  # Namecheap labels its XML text/html


@dataclass
class NamecheapAccount:
    """``/update`` as Namecheap's help pages show it, over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)
    hosts: set[str] = field(default_factory=lambda: {"home", "@"})

    async def handle(self, request: Request) -> Response:
        params = request.query_params
        if request.url.path != "/update":
            return Response("not found", status_code=404)
        domain = params.get("domain", "")
        if domain not in self.store.zones:
            return _xml(xml_answer(error="Domain name not found", number="316153"))
        if params.get("password") != PASSWORD:
            return _xml(xml_answer(error="Passwords do not match"))
        host = params.get("host", "")
        if host not in self.hosts:
            return _xml(xml_answer(error="No Records updated. A record not Found;"))
        name = self.store.absolute(host, domain)
        records = self.store.find(name, "A")
        if not records:
            records = [self.store.add(name, "A", "", 1799)]
        for record in records:
            record.content = params.get("ip", "")
        return _xml(xml_answer(ip=params.get("ip", "")))


class NamecheapCase:
    name = "home.example.net"
    families = frozenset({Family.IPV4})
    created_ttl = 1799  # Namecheap's "Automatic"
    secrets = (PASSWORD, "fedcba9876543210fedcba9876543210")

    def account(self) -> NamecheapAccount:
        return NamecheapAccount()

    def settings(self, url: str, *, right: bool = True) -> NamecheapSettings:
        password = self.secrets[0] if right else self.secrets[1]
        settings: NamecheapSettings = parsed(
            NamecheapSettings.parse, server=url, domain="example.net", password=password
        )
        return settings

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(60), 60.0


class TestNamecheapContract(ContractTests):
    case = NamecheapCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(NamecheapAccount().handle) as server:
        provider = NamecheapCase().settings(server.url).build(http)
        apex = await provider.update("example.net", Addresses(ipv4=V4, ipv6=V6))
        only_v6 = await provider.update("home.example.net", Addresses(ipv6=V6))
        elsewhere = await provider.update("home.example.org", Addresses(ipv4=V4))
    assert apex.kind is AnswerKind.UPDATED
    assert server.seen[0].params == {
        "host": "@",
        "domain": "example.net",
        "password": PASSWORD,
        "ip": str(V4),
    }
    assert only_v6.kind is AnswerKind.REJECTED
    assert elsewhere.kind is AnswerKind.REJECTED
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("body", "kind", "words"),
    [
        (xml_answer(ip="93.184.216.34"), AnswerKind.UPDATED, "updated to 93.184.216.34"),
        (xml_answer(error="Passwords do not match"), AnswerKind.REJECTED, "Passwords do not"),
        (xml_answer(error="Domain name not found"), AnswerKind.REJECTED, "Domain name not found"),
        ("<interface-response><ErrCount>x</ErrCount></interface-response>", AnswerKind.FAILED, ""),
        ("<html>maintenance</html>", AnswerKind.FAILED, "unexpected answer"),
        ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', AnswerKind.FAILED, ""),
        ("<interface-response>" * 40000, AnswerKind.FAILED, "oversized answer"),
        (LAUGHS, AnswerKind.FAILED, "unexpected answer"),  # expat refuses the expansion
    ],
)
def test_parse_answer(body: str, kind: AnswerKind, words: str) -> None:
    answer = parse_answer(body)
    assert answer.kind is kind
    assert words in answer.text


@given(st.text(max_size=300))
def test_parse_answer_never_crashes_and_success_needs_errcount_zero(body: str) -> None:
    answer = parse_answer(body)
    if answer.kind.done:
        assert "<ErrCount>0</ErrCount>" in body.replace(" ", "")
