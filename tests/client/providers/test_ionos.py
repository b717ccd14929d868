"""IONOS Hosting DNS API against a stand-in: ``X-API-Key``, zones by id, PUT by record id."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.ionos import IonosSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

KEY = "publicprefix.rightsecret"
ZONE_ID = str(uuid.UUID(int=1))


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse([{"code": code, "message": message}], status_code=status)


@dataclass
class IonosAccount:
    """``/dns/v1/zones`` and ``/dns/v1/zones/{id}/records`` as documented, over one ZoneStore."""

    store: ZoneStore = field(default_factory=lambda: ZoneStore(zones={"example.net": ZONE_ID}))

    @staticmethod
    def _shown(record: StoredRecord) -> dict[str, object]:
        return {
            "id": record.id,
            "name": record.name,
            "rootName": "example.net",
            "type": record.type,
            "content": record.content,
            "ttl": record.ttl,
            "prio": 0,
            "disabled": False,
        }

    async def handle(self, request: Request) -> Response:
        if request.headers.get("x-api-key") != KEY:
            return _error(
                401, "UNAUTHORIZED", "The customer is not authorized to do this operation."
            )
        parts = request.url.path.strip("/").split("/")
        if parts == ["zones"]:
            return JSONResponse([{"name": "example.net", "id": ZONE_ID, "type": "NATIVE"}])
        if len(parts) < 2 or parts[:2] != ["zones", ZONE_ID]:
            return _error(404, "NOT_FOUND", "Zone not found")
        params = request.query_params
        if len(parts) == 2:
            found = [
                self._shown(r)
                for r in self.store.records.values()
                if r.name.endswith(params.get("suffix", ""))
                and r.type == params.get("recordType", r.type)
            ]
            return JSONResponse(
                {"name": "example.net", "id": ZONE_ID, "type": "NATIVE", "records": found}
            )
        body = json.loads(await request.body())
        if len(parts) == 3 and request.method == "POST":
            made = [
                self.store.add(i["name"], i["type"], i["content"], i.get("ttl", 3600)) for i in body
            ]
            return JSONResponse([self._shown(r) for r in made], status_code=201)
        if len(parts) == 4 and request.method == "PUT" and parts[3] in self.store.records:
            record = self.store.records[parts[3]]
            record.content, record.ttl = body["content"], body.get("ttl", 3600)  # PUT replaces
            return JSONResponse(self._shown(record))
        return _error(404, "NOT_FOUND", "Record not found")


class IonosCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 60
    secrets = (KEY, "publicprefix.wrongsecret")

    def account(self) -> IonosAccount:
        return IonosAccount()

    def settings(self, url: str, *, right: bool = True) -> IonosSettings:
        key = self.secrets[0] if right else self.secrets[1]
        return IonosSettings(server=url, token=Secret(key), zone=None, ttl=60)

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            body = [{"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded"}]
            return JSONResponse(body, 429, {"Retry-After": "90"})

        return limited, 90.0


class TestIonosContract(ContractTests):
    case = IonosCase()


async def test_what_is_sent(http: httpx.AsyncClient) -> None:
    account = IonosAccount()
    record = account.store.add("home.example.net", "A", "198.51.100.1", 3600)
    account.store.add("myhome.example.net", "A", "198.51.100.1", 3600)  # the suffix matches it too
    async with HttpStandIn(account.handle) as server:
        answer = (
            await IonosCase()
            .settings(server.url)
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert server.seen[1].params == {"suffix": "home.example.net", "recordType": "A"}
    assert (server.seen[-1].method, server.seen[-1].path) == (
        "PUT",
        f"/zones/{ZONE_ID}/records/{record.id}",
    )
    assert json.loads(server.seen[-1].body) == {
        "content": str(V4),
        "ttl": 3600,
        "prio": 0,
        "disabled": False,
    }
    assert account.store.view("myhome.example.net", "A") == [("198.51.100.1", 3600)]
