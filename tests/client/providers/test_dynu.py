"""Dynu's dyndns2 flavour against a stand-in: myip and myipv6 with Basic auth."""

from __future__ import annotations

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.providers import AnswerKind
from homing.client.providers.dynu import parse

from ..standins import HttpStandIn
from .contract import V6, ContractTests, Handler, limited_429, parsed
from .dyndns_standin import DyndnsService

PASSWORD = "dynu-right-password"


def service() -> DyndnsService:
    return DyndnsService(
        logins={"alice": PASSWORD},
        hosts={"home.example.net"},
        v4_params=("myip",),
        v6_params=("myipv6",),
    )


class DynuCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (PASSWORD, "dynu-wrong-password")

    def account(self) -> DyndnsService:
        return service()

    def settings(self, url: str, *, right: bool = True) -> object:
        password = self.secrets[0] if right else self.secrets[1]
        return parsed(parse, server=url, username="alice", password=password)

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(60), 60.0


class TestDynuContract(ContractTests):
    case = DynuCase()


async def test_only_ipv6_is_sent_as_myipv6(http: httpx.AsyncClient) -> None:
    account = service()
    async with HttpStandIn(account.handle) as server:
        settings = parsed(parse, server=server.url, username="alice", password=PASSWORD)
        answer = await settings.build(http).update("home.example.net", Addresses(ipv6=V6))
    assert answer.kind is AnswerKind.UPDATED
    assert server.seen[0].params == {"hostname": "home.example.net", "myipv6": str(V6)}
    assert parsed(parse, username="a", password="p").url == "https://api.dynu.com/nic/update"
