"""DigitalOcean API v2 against a stand-in: Bearer token, domain records, PATCH of ``data``."""

from __future__ import annotations

import ipaddress
import json
import time
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.digitalocean import DigitaloceanSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

TOKEN = "dop_v1_right_token"


def _error(status: int, id_: str, message: str) -> Response:
    return JSONResponse({"id": id_, "message": message}, status_code=status)


@dataclass
class DigitaloceanAccount:
    """``/v2/domains`` and ``/v2/domains/{domain}/records`` as documented, over one ZoneStore."""

    store: ZoneStore = field(default_factory=ZoneStore)

    def _shown(self, record: StoredRecord, zone: str) -> dict[str, object]:
        return {
            "id": int(record.id),
            "type": record.type,
            "name": self.store.relative(record.name, zone) or "@",
            "data": record.content,
            "ttl": record.ttl,
            "priority": None,
        }

    async def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "unauthorized", "Unable to authenticate you")
        parts = request.url.path.strip("/").split("/")
        if parts == ["domains"]:
            domains = [{"name": z, "ttl": 1800} for z in self.store.zones]
            return JSONResponse({"domains": domains, "links": {}, "meta": {"total": len(domains)}})
        if len(parts) < 3 or parts[0] != "domains" or parts[1] not in self.store.zones:
            return _error(404, "not_found", "The resource you were accessing could not be found.")
        zone = parts[1]
        if len(parts) == 3 and request.method == "GET":
            params = request.query_params
            found = self.store.find(params["name"], params["type"])  # name filter is the FQDN
            return JSONResponse({"domain_records": [self._shown(r, zone) for r in found]})
        if len(parts) == 3 and request.method == "POST":
            body = json.loads(await request.body())
            name = self.store.absolute(body["name"], zone)
            record = self.store.add(name, body["type"], body["data"], body.get("ttl", 1800))
            return JSONResponse({"domain_record": self._shown(record, zone)}, status_code=201)
        if len(parts) == 4 and request.method == "PATCH" and parts[3] in self.store.records:
            record = self.store.records[parts[3]]
            record.content = json.loads(await request.body())["data"]
            return JSONResponse({"domain_record": self._shown(record, zone)})
        return _error(404, "not_found", "The resource you were accessing could not be found.")


class DigitaloceanCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (TOKEN, "dop_v1_wrong_token")

    def account(self) -> DigitaloceanAccount:
        return DigitaloceanAccount()

    def settings(self, url: str, *, right: bool = True) -> DigitaloceanSettings:
        token = self.secrets[0] if right else self.secrets[1]
        return DigitaloceanSettings(server=url, token=Secret(token), zone=None, ttl=60)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(time.time()) + 25)}
            return JSONResponse(
                {"id": "too_many_requests", "message": "API Rate limit exceeded."}, 429, headers
            )

        return limited, 25.0


class TestDigitaloceanContract(ContractTests):
    case = DigitaloceanCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = DigitaloceanAccount()
    record = account.store.add("home.example.net", "AAAA", "2001:db8::1", 3600)
    async with HttpStandIn(account.handle) as server:
        provider = DigitaloceanCase().settings(server.url).build(http)
        answer = await provider.update("home.example.net", Addresses(ipv4=V4))
        moved = await provider.update(
            "home.example.net", Addresses(ipv6=ipaddress.IPv6Address("2001:db8::2"))
        )
    assert (answer.kind, moved.kind) == (AnswerKind.UPDATED, AnswerKind.UPDATED)
    assert server.seen[1].params == {"type": "A", "name": "home.example.net", "per_page": "200"}
    assert json.loads(server.seen[2].body) == {
        "type": "A",
        "name": "home",
        "data": str(V4),
        "ttl": 60,
    }
    assert server.seen[-1].method == "PATCH"
    assert server.seen[-1].path == f"/domains/example.net/records/{record.id}"
    assert json.loads(server.seen[-1].body) == {"type": "AAAA", "data": "2001:db8::2"}
