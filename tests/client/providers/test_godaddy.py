"""GoDaddy Domains API v1 against a stand-in: ``sso-key``, records PUT per type and name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.godaddy import GodaddySettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import ZoneStore

KEYS = ("gd-right-key", "gd-right-secret")
WRONG = ("gd-wrong-key", "gd-wrong-secret")


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


@dataclass
class GodaddyAccount:
    """``/v1/domains`` and ``/v1/domains/{d}/records/{type}/{name}`` over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"sso-key {KEYS[0]}:{KEYS[1]}":
            return _error(401, "UNABLE_TO_AUTHENTICATE", "Unable to authenticate")
        parts = request.url.path.strip("/").split("/")
        if parts == ["v1", "domains"]:
            return JSONResponse([{"domain": z, "status": "ACTIVE"} for z in self.store.zones])
        if len(parts) != 6 or parts[:2] != ["v1", "domains"] or parts[2] not in self.store.zones:
            return _error(404, "NOT_FOUND", "The given domain is not registered")
        zone, type_, rrset = parts[2], parts[4], parts[5]
        name = self.store.absolute(rrset, zone)
        found = self.store.find(name, type_)
        if request.method == "GET":
            shown = [{"data": r.content, "name": rrset, "ttl": r.ttl, "type": type_} for r in found]
            return JSONResponse(shown)
        if request.method == "PUT":
            for record in found:
                del self.store.records[record.id]
            for item in json.loads(await request.body()):
                self.store.add(name, type_, item["data"], item.get("ttl", 3600))
            return Response(status_code=200)
        return _error(405, "METHOD_NOT_ALLOWED", "Method not allowed")


class GodaddyCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 600
    secrets = (*KEYS, *WRONG)

    def account(self) -> GodaddyAccount:
        return GodaddyAccount()

    def settings(self, url: str, *, right: bool = True) -> GodaddySettings:
        key, secret = KEYS if right else WRONG
        return GodaddySettings(
            server=url, api_key=Secret(key), api_secret=Secret(secret), zone=None, ttl=600
        )

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            body = {
                "code": "TOO_MANY_REQUESTS",
                "message": "Too many requests",
                "retryAfterSec": 45,
            }
            return JSONResponse(body, status_code=429)

        return limited, 45.0


class TestGodaddyContract(ContractTests):
    case = GodaddyCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = GodaddyAccount()
    account.store.add("home.example.net", "A", "198.51.100.1", 3600)
    async with HttpStandIn(account.handle) as server:
        answer = (
            await GodaddyCase()
            .settings(server.url)
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/v1/domains"),
        ("GET", "/v1/domains/example.net/records/A/home"),
        ("PUT", "/v1/domains/example.net/records/A/home"),
    ]
    assert json.loads(server.seen[-1].body) == [{"data": str(V4), "ttl": 3600}]
