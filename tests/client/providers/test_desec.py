"""deSEC against a stand-in of its dynDNS endpoint and its REST API, sharing one zone."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.config import load_client_config
from homing.client.daemon import Client
from homing.client.options import Secret
from homing.client.policy import Action
from homing.client.providers import AnswerKind
from homing.client.providers.desec import DesecSettings
from homing.client.state import StateFile, TargetState

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler
from .dyndns_standin import DyndnsService
from .zonestore import ZoneStore

TOKEN = "desec-token-1234567890"


@dataclass
class DesecAccount:
    """deSEC as documented: ``update.dedyn.io`` (any path) and ``/api/v1`` on one zone."""

    token: str = TOKEN
    store: ZoneStore = field(default_factory=ZoneStore)

    def __post_init__(self) -> None:
        self.dyndns = DyndnsService(
            logins={"home.example.net": self.token},
            hosts={"home.example.net"},
            store=self.store,
            path="",
            v4_params=("myip", "myipv4", "ip"),
            v6_params=("myipv6", "ipv6", "myip", "ip"),
            badauth=(401, "badauth"),
            bare_good=True,
            rewrites_ttl=True,
            deletes_unmentioned=True,
        )

    async def handle(self, request: Request) -> Response:
        parts = request.url.path.strip("/").split("/")
        if parts[:2] != ["api", "v1"]:
            return await self.dyndns.handle(request)
        if request.headers.get("authorization") != f"Token {self.token}":
            return JSONResponse({"detail": "Invalid token."}, status_code=401)
        if parts[2:] == ["domains"]:
            qname = request.query_params.get("owns_qname", "")
            owned = [z for z in self.store.zones if qname == z or qname.endswith(f".{z}")]
            return JSONResponse([{"name": z, "minimum_ttl": 60} for z in owned])
        if len(parts) == 7 and parts[2] == "domains" and parts[4] == "rrsets":
            zone, subname, type_ = parts[3], parts[5], parts[6]
            records = self.store.find(self.store.absolute(subname, zone), type_)
            if not records:
                return JSONResponse({"detail": "Not found."}, status_code=404)
            if request.method == "PATCH":
                for record in records:
                    record.ttl = json.loads(await request.body())["ttl"]
            return JSONResponse(
                {
                    "subname": "" if subname == "@" else subname,
                    "type": type_,
                    "ttl": records[0].ttl,
                    "records": [r.content for r in records],
                }
            )
        return JSONResponse({"detail": "Not found."}, status_code=404)


class DesecCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (TOKEN, "wrong-token-0987654321")

    def account(self) -> DesecAccount:
        return DesecAccount()

    def settings(self, url: str, *, right: bool = True) -> DesecSettings:
        token = self.secrets[0] if right else self.secrets[1]
        return DesecSettings(server=url, api_server=f"{url}/api/v1", token=Secret(token), ttl=None)

    def rate_limited(self) -> tuple[Handler, float]:
        async def throttled(request: Request) -> Response:
            body = {"detail": "Request was throttled. Expected available in 30 seconds."}
            return JSONResponse(body, status_code=429, headers={"Retry-After": "30"})

        return throttled, 30.0


class TestDesecContract(ContractTests):
    case = DesecCase()


async def test_what_is_sent_and_unchanged_sends_no_update(http: httpx.AsyncClient) -> None:
    account = DesecAccount()
    async with HttpStandIn(account.handle) as server:
        provider = DesecCase().settings(server.url).build(http)
        first = await provider.update("home.example.net", Addresses(ipv4=V4))
        count = len(server.seen)
        again = await provider.update("home.example.net", Addresses(ipv4=V4))
    assert (first.kind, again.kind) == (AnswerKind.UPDATED, AnswerKind.UNCHANGED)
    update = next(s for s in server.seen if not s.path.startswith("/api/"))
    assert update.params == {
        "hostname": "home.example.net",
        "myipv4": str(V4),
        "myipv6": "preserve",
    }
    assert update.basic == ("home.example.net", TOKEN)
    rest = [s for s in server.seen if s.path.startswith("/api/")]
    assert all(s.headers["authorization"] == f"Token {TOKEN}" for s in rest)
    assert [s.path for s in server.seen[count:]] == ["/api/v1/domains/example.net/rrsets/home/A/"]


async def test_the_configured_ttl_is_set_and_preserve_keeps_the_other_family(
    http: httpx.AsyncClient,
) -> None:
    account = DesecAccount()
    account.store.add("home.example.net", "AAAA", str(V6), 3600)
    async with HttpStandIn(account.handle) as server:
        settings = DesecSettings(
            server=server.url, api_server=f"{server.url}/api/v1", token=Secret(TOKEN), ttl=300
        )
        answer = await settings.build(http).update("home.example.net", Addresses(ipv4=V4))
    assert answer.kind is AnswerKind.UPDATED
    assert account.store.view("home.example.net", "A") == [(str(V4), 300)]
    assert account.store.view("home.example.net", "AAAA") == [(str(V6), 3600)]
    patches = [s for s in server.seen if s.method == "PATCH"]
    assert [json.loads(s.body) for s in patches] == [{"ttl": 300}]


async def test_published_reads_the_rrsets(http: httpx.AsyncClient) -> None:
    account = DesecAccount()
    account.store.add("example.net", "A", str(V4), 3600)
    async with HttpStandIn(account.handle) as server:
        provider = DesecCase().settings(server.url).build(http)
        found = await provider.published("example.net", frozenset(Family))
    assert found == {Family.IPV4: frozenset({str(V4)}), Family.IPV6: frozenset()}
    assert "/api/v1/domains/example.net/rrsets/@/A/" in [s.path for s in server.seen]


async def test_the_daemon_repairs_a_changed_rrset_through_the_rest_api(tmp_path: Path) -> None:
    account = DesecAccount()
    account.store.add("home.example.net", "A", "198.51.100.7", 3600)  # edited behind our back
    async with HttpStandIn(account.handle) as server:
        path = tmp_path / "client.toml"
        path.write_text(
            f'state_file = "{tmp_path / "state.json"}"\n'
            f'[ipv4]\nsource = "command"\ncommand = ["{sys.executable}", "-c", "print(\'{V4}\')"]\n'
            '[[update]]\nprovider = "desec"\ntoken = "' + TOKEN + '"\n'
            f'server = "{server.url}"\napi_server = "{server.url}/api/v1"\n'
            'names = ["home.example.net"]\n'
        )
        config = load_client_config(path)
        states = StateFile.load(config.state_file)
        target = config.targets[0]
        states.put(target.key, TargetState(fingerprint=target.fingerprint, published=Addresses(V4)))
        async with Client(config) as client:
            outcomes = await client.once()
    assert [o.decision.action for o in outcomes] == [Action.DONE]
    assert account.store.view("home.example.net", "A") == [(str(V4), 3600)]
    assert any(not s.path.startswith("/api/") for s in server.seen)  # the dynDNS update was sent
