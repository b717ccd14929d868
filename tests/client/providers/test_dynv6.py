"""dynv6 REST API v2 against a stand-in: the zone's own addresses and the records inside it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.dynv6 import Dynv6Settings

from ..standins import HttpStandIn
from .contract import V4, V6, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

TOKEN = "dynv6-right-token"


@dataclass
class Dynv6Account:
    """``/api/v2/zones`` with ``ipv4address``/``ipv6prefix``, and the zone's records."""

    store: ZoneStore = field(default_factory=lambda: ZoneStore(zones={"example.net": "7"}))
    apex: dict[str, str] = field(default_factory=lambda: {"ipv4address": "", "ipv6prefix": ""})

    def _zone(self) -> dict[str, object]:
        return {"id": 7, "name": "example.net", **self.apex}

    @staticmethod
    def _shown(record: StoredRecord) -> dict[str, object]:
        subname = record.name.removesuffix(".example.net")
        return {
            "id": int(record.id),
            "type": record.type,
            "name": subname,
            "data": record.content,
            "zoneID": 7,
        }

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        parts = request.url.path.strip("/").split("/")
        if parts == ["zones"]:
            return JSONResponse([self._zone()])
        if parts[:2] != ["zones", "7"]:
            return JSONResponse({"error": "zone not found"}, status_code=404)
        if len(parts) == 2 and request.method == "GET":
            return JSONResponse(self._zone())
        if len(parts) == 2 and request.method == "PATCH":
            self.apex.update(json.loads(await request.body()))
            return JSONResponse(self._zone())
        if len(parts) == 3 and request.method == "GET":
            return JSONResponse([self._shown(r) for r in self.store.records.values()])
        body = json.loads(await request.body())
        if len(parts) == 3 and request.method == "POST":
            name = self.store.absolute(body["name"], "example.net")
            return JSONResponse(self._shown(self.store.add(name, body["type"], body["data"], 0)))
        if len(parts) == 4 and request.method == "PATCH" and parts[3] in self.store.records:
            record = self.store.records[parts[3]]
            record.content = body["data"]
            return JSONResponse(self._shown(record))
        return JSONResponse({"error": "not found"}, status_code=404)


class Dynv6Case:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = None  # dynv6 keeps no TTL per record
    secrets = (TOKEN, "dynv6-wrong-token")

    def account(self) -> Dynv6Account:
        return Dynv6Account()

    def settings(self, url: str, *, right: bool = True) -> Dynv6Settings:
        token = self.secrets[0] if right else self.secrets[1]
        return Dynv6Settings(server=url, token=Secret(token), zone=None)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            return JSONResponse({"error": "rate limit exceeded"}, 429, {"Retry-After": "300"})

        return limited, 300.0


class TestDynv6Contract(ContractTests):
    case = Dynv6Case()


async def test_the_apex_is_the_zones_own_addresses(http: httpx.AsyncClient) -> None:
    account = Dynv6Account()
    account.apex["ipv6prefix"] = "2001:db8:1::/64"
    async with HttpStandIn(account.handle) as server:
        provider = Dynv6Case().settings(server.url).build(http)
        answer = await provider.update("example.net", Addresses(ipv4=V4, ipv6=V6))
        again = await provider.update("example.net", Addresses(ipv4=V4, ipv6=V6))
    assert (answer.kind, again.kind) == (AnswerKind.UPDATED, AnswerKind.UNCHANGED)
    assert account.apex == {"ipv4address": str(V4), "ipv6prefix": str(V6)}
    patches = [json.loads(s.body) for s in server.seen if s.method == "PATCH"]
    assert patches == [{"ipv4address": str(V4)}, {"ipv6prefix": str(V6)}]
    assert account.store.records == {}
