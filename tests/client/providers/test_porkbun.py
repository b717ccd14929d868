"""Porkbun API v3 against a stand-in: JSON POSTs with the key pair in the body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.porkbun import PorkbunSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import StoredRecord, ZoneStore

KEYS = ("pk1_right_key", "sk1_right_secret")
WRONG = ("pk1_wrong_key", "sk1_wrong_secret")


def _error(message: str) -> Response:
    return JSONResponse({"status": "ERROR", "message": message}, status_code=400)


@dataclass
class PorkbunAccount:
    """Porkbun's documented endpoints over one ZoneStore; ttl travels as a string."""

    store: ZoneStore = field(default_factory=ZoneStore)

    @staticmethod
    def _shown(record: StoredRecord) -> dict[str, str]:
        return {
            "id": record.id,
            "name": record.name,
            "type": record.type,
            "content": record.content,
            "ttl": str(record.ttl),
            "prio": "0",
            "notes": str(record.extra.get("notes", "")),
        }

    async def handle(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error("Invalid JSON.")
        if (body.get("apikey"), body.get("secretapikey")) != KEYS:
            return _error("Invalid API key. (002)")
        parts = request.url.path.strip("/").split("/")
        ok = {"status": "SUCCESS"}
        if parts == ["domain", "listAll"]:
            return JSONResponse({**ok, "domains": [{"domain": z} for z in self.store.zones]})
        if len(parts) < 3 or parts[2] not in self.store.zones:
            return _error("Invalid domain.")
        zone = parts[2]
        if parts[:2] == ["dns", "retrieveByNameType"] and len(parts) in {4, 5}:
            name = self.store.absolute(parts[4] if len(parts) == 5 else "", zone)
            found = self.store.find(name, parts[3])
            return JSONResponse({**ok, "records": [self._shown(r) for r in found]})
        if parts[:2] == ["dns", "create"]:
            name = self.store.absolute(body["name"], zone)
            record = self.store.add(name, body["type"], body["content"], int(body.get("ttl", 600)))
            return JSONResponse({**ok, "id": int(record.id)})
        if parts[:2] == ["dns", "edit"] and len(parts) == 4 and parts[3] in self.store.records:
            record = self.store.records[parts[3]]
            record.content = body["content"]
            record.ttl = int(body.get("ttl", 600))  # edit replaces the record: ttl resets
            record.extra["notes"] = body.get("notes", "")
            return JSONResponse(ok)
        return _error("Invalid command.")


class PorkbunCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 600
    secrets = (*KEYS, *WRONG)

    def account(self) -> PorkbunAccount:
        return PorkbunAccount()

    def settings(self, url: str, *, right: bool = True) -> PorkbunSettings:
        key, secret = KEYS if right else WRONG
        return PorkbunSettings(
            server=url, api_key=Secret(key), secret_api_key=Secret(secret), zone=None, ttl=600
        )

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def busy(request: Request) -> Response:  # what Porkbun's proxy sends
            return HTMLResponse("<html><h1>503 Service Temporarily Unavailable</h1></html>", 503)

        return busy, None


class TestPorkbunContract(ContractTests):
    case = PorkbunCase()


async def test_edit_sends_back_ttl_and_notes_with_the_keys_in_the_body(
    http: httpx.AsyncClient,
) -> None:
    account = PorkbunAccount()
    record = account.store.add("example.net", "A", "198.51.100.1", 3600, notes="router")
    async with HttpStandIn(account.handle) as server:
        provider = PorkbunCase().settings(server.url).build(http)
        answer = await provider.update("example.net", Addresses(ipv4=V4))
    assert answer.kind is AnswerKind.UPDATED
    assert [s.path for s in server.seen] == [
        "/domain/listAll",
        "/dns/retrieveByNameType/example.net/A",
        f"/dns/edit/example.net/{record.id}",
    ]
    assert all(s.method == "POST" and "authorization" not in s.headers for s in server.seen)
    edit = json.loads(server.seen[-1].body)
    assert edit == {
        "apikey": KEYS[0],
        "secretapikey": KEYS[1],
        "name": "",
        "type": "A",
        "content": str(V4),
        "ttl": "3600",
        "prio": "0",
        "notes": "router",
    }
    assert (record.content, record.ttl, record.extra["notes"]) == (str(V4), 3600, "router")
