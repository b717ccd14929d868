"""OVH DynHost against a stand-in: ``system=dyndns``, a DynHost login, A records only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from homing.client.addresses import Addresses, Family
from homing.client.config import load_client_config
from homing.client.providers import AnswerKind
from homing.client.providers.ovh import parse
from homing.errors import ConfigError

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler, limited_429, parsed
from .dyndns_standin import DyndnsService

PASSWORD = "ovh-right-password"


def service() -> DyndnsService:
    return DyndnsService(
        logins={"example.net-home": PASSWORD},
        hosts={"home.example.net"},
        required={"system": "dyndns"},
        badauth=(401, "<html>401 Unauthorized</html>"),
    )


class OvhCase:
    name = "home.example.net"
    families = frozenset({Family.IPV4})
    created_ttl = 60
    secrets = (PASSWORD, "ovh-wrong-password")

    def account(self) -> DyndnsService:
        return service()

    def settings(self, url: str, *, right: bool = True) -> object:
        password = self.secrets[0] if right else self.secrets[1]
        return parsed(parse, server=url, username="example.net-home", password=password)

    def rate_limited(self) -> tuple[Handler, float | None]:
        return limited_429(60), 60.0


class TestOvhContract(ContractTests):
    case = OvhCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    async with HttpStandIn(service().handle) as server:
        settings = parsed(parse, server=server.url, username="example.net-home", password=PASSWORD)
        answer = await settings.build(http).update("home.example.net", Addresses(ipv4=V4))
    assert answer.kind is AnswerKind.UPDATED
    assert server.seen[0].path == "/nic/update"
    assert server.seen[0].params == {
        "hostname": "home.example.net",
        "system": "dyndns",
        "myip": str(V4),
    }


def test_ipv6_is_refused_by_the_config(tmp_path: Path) -> None:
    path = tmp_path / "client.toml"
    path.write_text(
        '[ipv4]\nsource = "command"\ncommand = ["true"]\n'
        '[ipv6]\nsource = "command"\ncommand = ["true"]\n'
        '[[update]]\nprovider = "ovh"\nusername = "u"\npassword = "p"\n'
        'names = ["home.example.net"]\n'
    )
    with pytest.raises(
        ConfigError, match=r'ovh publishes only A records: set families = \["ipv4"\]'
    ):
        load_client_config(path)
