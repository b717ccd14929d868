"""Linode API v4 against a stand-in: Bearer token, domain ids, PUT of ``target`` alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.linode import LinodeSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

TOKEN = "linode-right-token"
DOMAIN_ID = 4711


def _errors(status: int, reason: str) -> Response:
    return JSONResponse({"errors": [{"reason": reason}]}, status_code=status)


def _page(data: list[dict[str, object]]) -> Response:
    return JSONResponse({"data": data, "page": 1, "pages": 1, "results": len(data)})


@dataclass
class LinodeAccount:
    """``/v4/domains`` and ``/v4/domains/{id}/records`` as documented, over one ZoneStore."""

    store: ZoneStore = field(default_factory=lambda: ZoneStore(zones={"example.net": "4711"}))

    def _shown(self, record: StoredRecord) -> dict[str, object]:
        return {
            "id": int(record.id),
            "type": record.type,
            "name": self.store.relative(record.name, "example.net"),
            "target": record.content,
            "ttl_sec": record.ttl,
            "priority": 0,
        }

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _errors(401, "Invalid Token")
        parts = request.url.path.strip("/").split("/")
        if parts == ["domains"]:
            return _page([{"id": DOMAIN_ID, "domain": "example.net", "type": "master"}])
        if parts[:3] != ["domains", str(DOMAIN_ID), "records"]:
            return _errors(404, "Not found")
        if len(parts) == 3 and request.method == "GET":
            return _page([self._shown(r) for r in self.store.records.values()])
        body = json.loads(await request.body())
        if len(parts) == 3 and request.method == "POST":
            name = self.store.absolute(body["name"], "example.net")
            record = self.store.add(name, body["type"], body["target"], body.get("ttl_sec", 0))
            return JSONResponse(self._shown(record))
        if len(parts) == 4 and request.method == "PUT" and parts[3] in self.store.records:
            record = self.store.records[parts[3]]
            record.content = body.get("target", record.content)
            record.ttl = body.get("ttl_sec", record.ttl)
            return JSONResponse(self._shown(record))
        return _errors(404, "Not found")


class LinodeCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 300
    secrets = (TOKEN, "linode-wrong-token")

    def account(self) -> LinodeAccount:
        return LinodeAccount()

    def settings(self, url: str, *, right: bool = True) -> LinodeSettings:
        token = self.secrets[0] if right else self.secrets[1]
        return LinodeSettings(server=url, token=Secret(token), zone=None, ttl=300)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            return JSONResponse(
                {"errors": [{"reason": "Too many requests"}]}, 429, {"Retry-After": "12"}
            )

        return limited, 12.0


class TestLinodeContract(ContractTests):
    case = LinodeCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = LinodeAccount()
    record = account.store.add("home.example.net", "A", "198.51.100.1", 3600)
    account.store.add("other.example.net", "A", "198.51.100.1", 3600)
    async with HttpStandIn(account.handle) as server:
        provider = LinodeCase().settings(server.url).build(http)
        answer = await provider.update("home.example.net", Addresses(ipv4=V4))
    assert answer.kind is AnswerKind.UPDATED
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/domains"),
        ("GET", f"/domains/{DOMAIN_ID}/records"),
        ("PUT", f"/domains/{DOMAIN_ID}/records/{record.id}"),
    ]
    assert json.loads(server.seen[-1].body) == {"target": str(V4)}
    assert account.store.view("other.example.net", "A") == [("198.51.100.1", 3600)]
