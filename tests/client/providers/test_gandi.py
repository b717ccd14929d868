"""Gandi LiveDNS v5 against a stand-in: a Bearer token, RRsets by name and type."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.gandi import GandiSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import ZoneStore

TOKEN = "gandi-pat-right"


def _error(status: int, cause: str, message: str) -> Response:
    body = {"code": status, "message": message, "object": f"HTTP{cause}", "cause": cause}
    return JSONResponse(body, status_code=status)


@dataclass
class GandiAccount:
    """LiveDNS's ``/domains`` and ``/domains/{fqdn}/records/{name}/{type}`` over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "Unauthorized", "The server could not verify that you authorized")
        parts = request.url.path.strip("/").split("/")
        if parts == ["domains"]:
            return JSONResponse(
                [{"fqdn": z, "domain_href": f"/domains/{z}"} for z in self.store.zones]
            )
        if len(parts) != 5 or parts[0] != "domains" or parts[2] != "records":
            return _error(404, "Not Found", "The resource could not be found.")
        zone, rrset_name, type_ = parts[1], parts[3], parts[4]
        name = self.store.absolute(rrset_name, zone)
        found = self.store.find(name, type_)
        if request.method == "GET":
            if not found:
                return _error(404, "Not Found", "Can't find the DNS record")
            return JSONResponse(
                {
                    "rrset_name": rrset_name,
                    "rrset_type": type_,
                    "rrset_ttl": found[0].ttl,
                    "rrset_values": [r.content for r in found],
                }
            )
        body = json.loads(await request.body())
        if request.method == "POST" and found:
            return _error(409, "Conflict", "A DNS Record already exists with same value")
        ttl = body.get("rrset_ttl", 10800)
        for record in found:
            del self.store.records[record.id]
        for value in body["rrset_values"]:
            self.store.add(name, type_, value, ttl)
        return JSONResponse({"message": "DNS Record Created"}, status_code=201)


class GandiCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 300
    secrets = (TOKEN, "gandi-pat-wrong")

    def account(self) -> GandiAccount:
        return GandiAccount()

    def settings(self, url: str, *, right: bool = True) -> GandiSettings:
        token = self.secrets[0] if right else self.secrets[1]
        return GandiSettings(server=url, token=Secret(token), zone=None, ttl=300)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            return JSONResponse(
                {"code": 429, "message": "Too many requests", "cause": "Too Many Requests"},
                429,
                {"Retry-After": "60"},
            )

        return limited, 60.0


class TestGandiContract(ContractTests):
    case = GandiCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = GandiAccount()
    account.store.add("example.net", "A", "198.51.100.1", 1800)
    async with HttpStandIn(account.handle) as server:
        answer = (
            await GandiCase()
            .settings(server.url)
            .build(http)
            .update("example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/domains"),
        ("GET", "/domains/example.net/records/@/A"),
        ("PUT", "/domains/example.net/records/@/A"),
    ]
    assert json.loads(server.seen[-1].body) == {"rrset_values": [str(V4)], "rrset_ttl": 1800}
