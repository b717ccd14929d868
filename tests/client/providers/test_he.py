"""Hurricane Electric's dynamic DNS against a stand-in: host name as user, one request a family."""

from __future__ import annotations

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.providers import AnswerKind
from homing.client.providers.he import parse

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler, limited_429, parsed
from .dyndns_standin import DyndnsService

KEY = "he-record-key"


def service() -> DyndnsService:
    return DyndnsService(
        logins={"home.example.net": KEY},
        hosts={"home.example.net"},
        login_is_host=True,
    )


class HeCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (KEY, "he-wrong-key")

    def account(self) -> DyndnsService:
        return service()

    def settings(self, url: str, *, right: bool = True) -> object:
        key = self.secrets[0] if right else self.secrets[1]
        return parsed(parse, server=f"{url}/nic/update", key=key)

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(300), 300.0


class TestHeContract(ContractTests):
    case = HeCase()


async def test_one_request_per_family_with_the_name_as_user(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(service().handle) as server:
        settings = parsed(parse, server=f"{server.url}/nic/update", key=KEY)
        answer = await settings.build(http).update("home.example.net", Addresses(V4, V6))
    assert answer.kind is AnswerKind.UPDATED
    assert [s.params for s in server.seen] == [
        {"hostname": "home.example.net", "myip": str(V4)},
        {"hostname": "home.example.net", "myip": str(V6)},
    ]
    assert {s.basic for s in server.seen} == {("home.example.net", KEY)}
    assert parsed(parse, key="k").url == "https://dyn.dns.he.net/nic/update"
