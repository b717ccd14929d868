"""netcup's CCP DNS API against a stand-in: JSON actions in a login session, status in the body."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.netcup import NetcupSettings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import ZoneStore

CUSTOMER = "123456"
KEY, PASSWORD = "netcup-right-key", "netcup-right-password"


def _answer(
    action: str, status: str, code: int, short: str, data: Any = "", long: str = ""
) -> Response:
    body = {
        "serverrequestid": uuid.uuid4().hex,
        "clientrequestid": "",
        "action": action,
        "status": status,
        "statuscode": code,
        "shortmessage": short,
        "longmessage": long,
        "responsedata": data,
    }
    return JSONResponse(body)  # HTTP 200, whatever the status


@dataclass
class NetcupAccount:
    """The endpoint's login, infoDnsZone, infoDnsRecords, updateDnsRecords and logout."""

    store: ZoneStore = field(default_factory=ZoneStore)
    sessions: set[str] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        body = json.loads(await request.body())
        action, param = body["action"], body["param"]
        self.actions.append(action)
        if (param.get("customernumber"), param.get("apikey")) != (CUSTOMER, KEY):
            return _answer(action, "error", 4013, "Validation Error.", long="Api key missing")
        if action == "login":
            if param.get("apipassword") != PASSWORD:
                return _answer(action, "error", 4013, "Validation Error.", long="The login failed")
            session = uuid.uuid4().hex
            self.sessions.add(session)
            return _answer(action, "success", 2000, "Login successful", {"apisessionid": session})
        if param.get("apisessionid") not in self.sessions:
            return _answer(action, "error", 4001, "Your session id is not in a valid format.")
        if action == "logout":
            self.sessions.discard(param["apisessionid"])
            return _answer(action, "success", 2000, "Logout successful")
        zone = param.get("domainname", "")
        if zone not in self.store.zones:
            return _answer(action, "error", 5029, "Can not get DNS records for zone.")
        if action == "infoDnsZone":
            return _answer(
                action, "success", 2000, "DNS zone found", {"name": zone, "ttl": "86400"}
            )
        if action == "infoDnsRecords":
            records = [
                {
                    "id": r.id,
                    "hostname": self.store.relative(r.name, zone) or "@",
                    "type": r.type,
                    "priority": "0",
                    "destination": r.content,
                    "deleterecord": False,
                    "state": "yes",
                }
                for r in self.store.records.values()
            ]
            return _answer(action, "success", 2000, "DNS records found", {"dnsrecords": records})
        if action == "updateDnsRecords":
            for item in param["dnsrecordset"]["dnsrecords"]:
                if "id" in item:
                    self.store.records[item["id"]].content = item["destination"]
                else:
                    name = self.store.absolute(item["hostname"], zone)
                    self.store.add(name, item["type"], item["destination"], 86400)
            return _answer(action, "success", 2000, "DNS records successful updated")
        return _answer(action, "error", 4013, "Validation Error.", long="unknown action")


class NetcupCase:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 86400  # the zone's TTL: netcup has none per record
    secrets = (KEY, PASSWORD, "netcup-wrong-password")

    def account(self) -> NetcupAccount:
        return NetcupAccount()

    def settings(self, url: str, *, right: bool = True) -> NetcupSettings:
        password = PASSWORD if right else self.secrets[2]
        return NetcupSettings(
            server=f"{url}/run/webservice/servers/endpoint.php?JSON",
            customer=CUSTOMER,
            api_key=Secret(KEY),
            api_password=Secret(password),
            zone=None,
        )

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def limited(request: Request) -> Response:
            long = "More than 180 requests per minute. Please wait and retry later."
            return _answer("login", "error", 4013, "Validation Error.", long=long)

        return limited, 60.0


class TestNetcupContract(ContractTests):
    case = NetcupCase()


async def test_one_session_per_update_and_records_sent_back_whole(http: httpx.AsyncClient) -> None:
    account = NetcupAccount()
    record = account.store.add("home.example.net", "A", "198.51.100.1", 86400)
    async with HttpStandIn(account.handle) as server:
        answer = (
            await NetcupCase()
            .settings(server.url)
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert account.actions == [
        "login",
        "infoDnsZone",  # home.example.net is no domain of the account
        "infoDnsZone",
        "infoDnsRecords",
        "updateDnsRecords",
        "logout",
    ]
    assert account.sessions == set()
    assert all(s.method == "POST" and s.params == {"JSON": ""} for s in server.seen)
    update = json.loads(server.seen[4].body)["param"]["dnsrecordset"]["dnsrecords"]
    assert update == [
        {
            "id": record.id,
            "hostname": "home",
            "type": "A",
            "priority": "0",
            "destination": str(V4),
            "deleterecord": False,
            "state": "yes",
        }
    ]
