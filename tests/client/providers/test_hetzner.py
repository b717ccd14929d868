"""Hetzner DNS API against a stand-in: ``Auth-API-Token``, zones, records, PUT by id."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.hetzner import HetznerSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

TOKEN = "hetzner-token-abcdef"


@dataclass
class HetznerAccount:
    """Hetzner DNS's documented zones and records endpoints over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)

    def _shown(self, record: StoredRecord, zone: str) -> dict[str, object]:
        shown: dict[str, object] = {
            "id": record.id,
            "type": record.type,
            "name": self.store.relative(record.name, zone) or "@",
            "value": record.content,
            "zone_id": self.store.zones[zone],
        }
        if record.ttl:
            shown["ttl"] = record.ttl
        return shown

    async def handle(self, request: Request) -> Response:
        if request.headers.get("auth-api-token") != TOKEN:
            return JSONResponse({"message": "Invalid authentication credentials"}, 401)
        path, params = request.url.path, request.query_params
        if path == "/zones":
            zone = params.get("name", "")
            if zone not in self.store.zones:
                return JSONResponse({"error": {"message": "zone not found", "code": 404}}, 404)
            return JSONResponse({"zones": [{"id": self.store.zones[zone], "name": zone}]})
        if path == "/records" and request.method == "GET":
            zone = self.store.zone_named(params.get("zone_id", ""))
            if zone is None:
                return JSONResponse({"error": {"message": "zone not found", "code": 404}}, 404)
            shown = [
                self._shown(r, zone)
                for r in self.store.records.values()
                if r.name == zone or r.name.endswith(f".{zone}")
            ]
            return JSONResponse({"records": shown})
        if path == "/records" and request.method == "POST":
            body = json.loads(await request.body())
            zone = self.store.zone_named(body["zone_id"]) or ""
            name = self.store.absolute(body["name"], zone)
            record = self.store.add(name, body["type"], body["value"], body.get("ttl", 0))
            return JSONResponse({"record": self._shown(record, zone)})
        record_id = path.removeprefix("/records/")
        if request.method == "PUT" and record_id in self.store.records:
            body = json.loads(await request.body())
            record = self.store.records[record_id]
            record.content, record.ttl = body["value"], body.get("ttl", 0)  # PUT replaces
            return JSONResponse(
                {"record": self._shown(record, self.store.zone_named(body["zone_id"]) or "")}
            )
        return JSONResponse({"error": {"message": "not found", "code": 404}}, 404)


class HetznerCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (TOKEN, "hetzner-wrong-token")

    def account(self) -> HetznerAccount:
        return HetznerAccount()

    def settings(self, url: str, *, right: bool = True) -> HetznerSettings:
        token = self.secrets[0] if right else self.secrets[1]
        return HetznerSettings(server=url, token=Secret(token), zone=None, ttl=60)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            reset = str(int(time.time()) + 40)  # a Unix time, as Hetzner sends it
            headers = {
                "Ratelimit-Limit": "3600",
                "Ratelimit-Remaining": "0",
                "Ratelimit-Reset": reset,
            }
            return JSONResponse({"message": "rate limit exceeded"}, 429, headers=headers)

        return limited, 40.0


class TestHetznerContract(ContractTests):
    case = HetznerCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = HetznerAccount()
    record = account.store.add("home.example.net", "A", "198.51.100.1", 0)
    async with HttpStandIn(account.handle) as server:
        answer = (
            await HetznerCase()
            .settings(server.url)
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/zones"),
        ("GET", "/zones"),
        ("GET", "/records"),
        ("PUT", f"/records/{record.id}"),
    ]
    assert [s.params.get("name") for s in server.seen[:2]] == ["home.example.net", "example.net"]
    assert all(s.headers["auth-api-token"] == TOKEN for s in server.seen)
    # no TTL of its own: none is sent, so the record keeps following the zone's default
    assert json.loads(server.seen[-1].body) == {
        "zone_id": "zone-1",
        "type": "A",
        "name": "home",
        "value": str(V4),
    }
