"""FreeDNS (afraid.org) v2 update URLs against a stand-in: a token per record, in the path."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.providers import AnswerKind
from homing.client.providers.freedns import FreednsSettings, parse_answer
from homing.errors import ConfigError

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler, limited_429, parsed
from .zonestore import ZoneStore

TOKENS = {"A": "AAAAtokenForTheARecord", "AAAA": "BBBBtokenForTheAAAARecord"}
UNKNOWN = (
    "ERROR: Unable to locate this record (changed password recently? deleted and re-created "
    "this dns entry?) (double check username/password are correct)"
)


@dataclass
class FreednsAccount:
    """``/u/TOKEN/?address=`` as the FreeDNS dynamic page shows it, over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)

    async def handle(self, request: Request) -> Response:
        parts = request.url.path.strip("/").split("/")
        by_token = {t: type_ for type_, t in TOKENS.items()}
        if len(parts) != 2 or parts[0] != "u" or parts[1] not in by_token:
            return PlainTextResponse(UNKNOWN)
        type_, address = by_token[parts[1]], request.query_params.get("address", "")
        name = "home.example.net"
        records = self.store.find(name, type_) or [self.store.add(name, type_, "", 3600)]
        if records[0].content == address:
            return PlainTextResponse(
                f"No IP change detected for {name} with IP {address}, skipping update"
            )
        records[0].content = address
        return PlainTextResponse(f"Updated 1 host(s) {name} to {address} in 0.208 seconds")


class FreednsCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 3600
    secrets = (*TOKENS.values(), "WRONGtokenA", "WRONGtokenAAAA")

    def account(self) -> FreednsAccount:
        return FreednsAccount()

    def settings(self, url: str, *, right: bool = True) -> FreednsSettings:
        v4, v6 = (TOKENS["A"], TOKENS["AAAA"]) if right else self.secrets[2:]
        settings: FreednsSettings = parsed(
            FreednsSettings.parse, server=url, ipv4_token=v4, ipv6_token=v6
        )
        return settings

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(60), 60.0


class TestFreednsContract(ContractTests):
    case = FreednsCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(FreednsAccount().handle) as server:
        provider = FreednsCase().settings(server.url).build(http)
        answer = await provider.update("home.example.net", Addresses(V4, V6))
        only_v4 = parsed(FreednsSettings.parse, server=server.url, ipv4_token=TOKENS["A"])
        missing = await only_v4.build(http).update("home.example.net", Addresses(V4, V6))
    assert answer.kind is AnswerKind.UPDATED
    assert [(s.path, s.params) for s in server.seen[:2]] == [
        (f"/u/{TOKENS['A']}/", {"address": str(V4)}),
        (f"/u/{TOKENS['AAAA']}/", {"address": str(V6)}),
    ]
    assert (missing.kind, missing.text) == (
        AnswerKind.REJECTED,
        "no ipv6_token for the AAAA record",
    )


def test_a_token_is_required() -> None:
    with pytest.raises(ConfigError, match="set ipv4_token or ipv6_token"):
        parsed(FreednsSettings.parse)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (f"Updated 1 host(s) home.example.net to {V4} in 0.2 seconds", AnswerKind.UPDATED),
        (f"No IP change detected for h with IP {V4}, skipping update", AnswerKind.UNCHANGED),
        ("Updated 1 host(s) home.example.net to 192.0.2.9 in 0.2 seconds", AnswerKind.FAILED),
        (UNKNOWN, AnswerKind.REJECTED),
        ("", AnswerKind.FAILED),
    ],
)
def test_parse_answer(body: str, kind: AnswerKind) -> None:
    assert parse_answer(body, str(V4)).kind is kind


@given(st.text(max_size=200))
def test_parse_answer_is_total_and_success_names_the_address(body: str) -> None:
    answer = parse_answer(body, str(V4))
    assert "\n" not in answer.text
    if answer.kind.done:
        assert str(V4) in body
