"""Route 53 through boto3 against a stand-in speaking its REST/XML API (2013-04-01)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import Response

from homing.client.addresses import Addresses, Family
from homing.client.options import Secret
from homing.client.providers import AnswerKind
from homing.client.providers.route53 import Route53Settings

from ..standins import HttpStandIn
from .contract import V4, ContractTests, Handler
from .zonestore import ZoneStore

KEY_ID, SECRET = "AKIAHOMINGRIGHTKEY01", "homing/right/secret/access/key/0123456789"
NS = "https://route53.amazonaws.com/doc/2013-04-01/"
ZONE_ID = "Z0123456789HOMING"
LIST_TAIL = "<IsTruncated>false</IsTruncated><MaxItems>1</MaxItems>"
CHANGE_INFO = (
    "<ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status>"
    "<SubmittedAt>2024-05-01T10:00:00Z</SubmittedAt></ChangeInfo>"
)


def _xml(root: str, inner: str, status: int = 200) -> Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">{inner}</{root}>'
    return Response(body, status_code=status, media_type="text/xml")


def _error(status: int, code: str, message: str) -> Response:
    inner = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    return _xml("ErrorResponse", inner + "<RequestId>r-1</RequestId>", status)


@dataclass
class Route53Account:
    """Hosted zones by name, record sets from a start name and type, UPSERT changes."""

    store: ZoneStore = field(default_factory=lambda: ZoneStore(zones={"example.net": ZONE_ID}))
    changes: list[ElementTree.Element] = field(default_factory=list)

    def _set_xml(self, name: str, type_: str) -> str:
        found = self.store.find(name, type_)
        values = "".join(
            f"<ResourceRecord><Value>{r.content}</Value></ResourceRecord>" for r in found
        )
        return (
            f"<ResourceRecordSet><Name>{name}.</Name><Type>{type_}</Type>"
            f"<TTL>{found[0].ttl}</TTL><ResourceRecords>{values}</ResourceRecords>"
            "</ResourceRecordSet>"
        )

    async def handle(self, request: Request) -> Response:
        credential = re.search(r"Credential=([^/]+)/", request.headers.get("authorization", ""))
        if credential is None or credential.group(1) != KEY_ID:
            return _error(403, "InvalidClientTokenId", "The security token included is invalid.")
        path, params = request.url.path, request.query_params
        if path == "/2013-04-01/hostedzonesbyname":
            wanted = params.get("dnsname", "")
            zones = "".join(
                f"<HostedZone><Id>/hostedzone/{i}</Id><Name>{n}.</Name>"
                "<CallerReference>ref</CallerReference><Config><PrivateZone>false</PrivateZone>"
                "</Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>"
                for n, i in sorted(self.store.zones.items())
                if n >= wanted  # listed in order from the name asked for
            )
            inner = f"<HostedZones>{zones}</HostedZones><DNSName>{wanted}</DNSName>"
            return _xml(
                "ListHostedZonesByNameResponse",
                inner + LIST_TAIL,
            )
        if path.rstrip("/") != f"/2013-04-01/hostedzone/{ZONE_ID}/rrset":
            return _error(404, "NoSuchHostedZone", "No hosted zone found")
        if request.method == "GET":
            name, type_ = params.get("name", "").rstrip("."), params.get("type", "")
            sets = self._set_xml(name, type_) if self.store.find(name, type_) else ""
            inner = f"<ResourceRecordSets>{sets}</ResourceRecordSets>{LIST_TAIL}"
            return _xml("ListResourceRecordSetsResponse", inner)
        batch = ElementTree.fromstring(await request.body())
        q = f"{{{NS}}}"
        for change in batch.iter(f"{q}Change"):
            self.changes.append(change)
            rrset = change.find(f"{q}ResourceRecordSet")
            assert rrset is not None and change.findtext(f"{q}Action") == "UPSERT"
            name = (rrset.findtext(f"{q}Name") or "").rstrip(".")
            type_ = rrset.findtext(f"{q}Type") or ""
            for record in self.store.find(name, type_):
                del self.store.records[record.id]
            for value in rrset.iter(f"{q}Value"):
                self.store.add(name, type_, value.text or "", int(rrset.findtext(f"{q}TTL") or 0))
        return _xml("ChangeResourceRecordSetsResponse", CHANGE_INFO)


class Route53Case:
    name = "home.example.net"
    families = frozenset(Family)
    created_ttl = 300
    secrets = (SECRET, "homing/wrong/secret/access/key/0123456789")

    def account(self) -> Route53Account:
        return Route53Account()

    def settings(self, url: str, *, right: bool = True) -> Route53Settings:
        key_id = KEY_ID if right else "AKIAHOMINGWRONGKEY01"
        return Route53Settings(
            server=url,
            access_key_id=Secret(key_id),
            secret_access_key=Secret(self.secrets[0] if right else self.secrets[1]),
            zone=None,
            ttl=300,
        )

    def rate_limited(self) -> tuple[Handler, float | None]:
        async def throttled(request: Request) -> Response:
            return _error(400, "Throttling", "Rate exceeded")

        return throttled, None  # Route 53 names no wait: the client backs off


class TestRoute53Contract(ContractTests):
    case = Route53Case()


async def test_upsert_keeps_the_sets_ttl(http: httpx.AsyncClient) -> None:
    account = Route53Account()
    account.store.add("home.example.net", "A", "198.51.100.1", 3600)
    async with HttpStandIn(account.handle) as server:
        answer = (
            await Route53Case()
            .settings(server.url)
            .build(http)
            .update("home.example.net", Addresses(ipv4=V4))
        )
    assert answer.kind is AnswerKind.UPDATED
    assert account.store.view("home.example.net", "A") == [(str(V4), 3600)]
    lookups = [s.params for s in server.seen if s.path.endswith("hostedzonesbyname")]
    assert [p["dnsname"] for p in lookups] == ["home.example.net", "example.net"]
    assert all(s.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for s in server.seen)
    assert [s.method for s in server.seen][-1] == "POST"
