"""No-IP's dyndns2 flavour against a stand-in: myip and myipv6, and the agent No-IP requires."""

from __future__ import annotations

import re

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.providers import AnswerKind
from homing.client.providers.noip import parse

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler, limited_429, parsed
from .dyndns_standin import DyndnsService

LOGIN = "alice@example.com"
PASSWORD = "noip-right-password"


def service() -> DyndnsService:
    return DyndnsService(
        logins={LOGIN: PASSWORD},
        hosts={"home.example.net"},
        v4_params=("myip",),
        v6_params=("myipv6",),
        badauth=(401, "badauth"),
    )


class NoipCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (PASSWORD, "noip-wrong-password")

    def account(self) -> DyndnsService:
        return service()

    def settings(self, url: str, *, right: bool = True) -> object:
        password = self.secrets[0] if right else self.secrets[1]
        return parsed(parse, server=url, username=LOGIN, password=password)

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(120), 120.0


class TestNoipContract(ContractTests):
    case = NoipCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(service().handle) as server:
        settings = parsed(parse, server=server.url, username=LOGIN, password=PASSWORD)
        answer = await settings.build(http).update("home.example.net", Addresses(V4, V6))
    assert answer.kind is AnswerKind.UPDATED
    request = server.seen[0]
    assert (request.path, request.basic) == ("/nic/update", (LOGIN, PASSWORD))
    assert request.params == {"hostname": "home.example.net", "myip": str(V4), "myipv6": str(V6)}
    # "Company NameOfProgram/Version maintainer-contact@example.com", as No-IP asks
    assert re.fullmatch(
        r"Homing homing-client/\S+ alice@example\.com", request.headers["user-agent"]
    )


def test_the_default_server_and_contact() -> None:
    settings = parsed(parse, username=LOGIN, password=PASSWORD, contact="ops@example.org")
    assert settings.url == "https://dynupdate.no-ip.com/nic/update"
    assert settings.user_agent.endswith(" ops@example.org")
