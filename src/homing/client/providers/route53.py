"""Amazon Route 53 through boto3 (optional extra ``homing[route53]``): UPSERT of the record set.

The hosted zone is found by name, the name's record set of each type read
(its TTL is kept; ``ttl`` applies to a set this client creates), and the
set written with one UPSERT. The change is not waited for: Route 53
answers ``PENDING`` and propagates within a minute, and the client's
start-up repair reads the record set back anyway. boto3 is blocking, so
every call runs in a thread; botocore's own retries are off, so that
throttling and errors reach the scheduler's rules like any provider's.
boto3 costs tens of MiB, so it is imported only when a config names
``route53``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import shown
from homing.client.providers.jsonapi import Answered, failed
from homing.client.providers.records import Record, RecordsProvider, Zone

MISSING = "provider = \"route53\" needs boto3: pip install 'homing[route53]'"
THROTTLED = frozenset({"Throttling", "ThrottlingException", "PriorRequestNotComplete"})

# botocore logs each request's headers at DEBUG, the access key id among them.
for _name in ("boto3", "botocore", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True, kw_only=True)
class Route53Settings:
    """The endpoint, an access key, an optional zone, the TTL of record sets it creates.

    The key needs route53:ListHostedZonesByName, ListResourceRecordSets and
    ChangeResourceRecordSets.
    """

    server: str
    access_key_id: Secret
    secret_access_key: Secret
    zone: str | None
    ttl: int

    @classmethod
    def parse(cls, options: Options) -> Route53Settings:
        if importlib.util.find_spec("boto3") is None:
            raise options.error("provider", MISSING)
        return cls(
            server=options.url("server", "https://route53.amazonaws.com"),
            access_key_id=options.secret("access_key_id"),
            secret_access_key=options.secret("secret_access_key"),
            zone=options.optional_string("zone"),
            ttl=options.integer("ttl", 300, low=0, high=2147483647),
        )

    def build(self, http: httpx.AsyncClient) -> RecordsProvider:
        timeout = http.timeout.read or 10.0
        return RecordsProvider(Route53Api(self, timeout=timeout), zone=self.zone)


def client_error_answer(exc: Exception) -> ProviderAnswer:
    """A botocore ClientError as an answer: throttling waits, 5xx backs off, 4xx stops."""
    response: Any = getattr(exc, "response", {})
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    code, message = str(error.get("Code", "?")), str(error.get("Message", ""))
    words = shown(f"{code}: {message}")
    if code in THROTTLED:
        return ProviderAnswer(AnswerKind.RATE_LIMITED, words)
    if not isinstance(status, int) or status >= 500 or status < 400:
        return ProviderAnswer(AnswerKind.FAILED, words)
    return ProviderAnswer(AnswerKind.REJECTED, words)


class Route53Api:
    """ListHostedZonesByName, ListResourceRecordSets and ChangeResourceRecordSets (UPSERT)."""

    def __init__(self, settings: Route53Settings, *, timeout: float) -> None:
        self._settings = settings
        self._timeout = timeout

    @cached_property
    def _client(self) -> Any:
        import boto3  # type: ignore[import-untyped, unused-ignore]
        from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]

        s = self._settings
        return boto3.client(
            "route53",
            endpoint_url=s.server,
            region_name="us-east-1",
            aws_access_key_id=s.access_key_id.value,
            aws_secret_access_key=s.secret_access_key.value,
            config=Config(
                retries={"max_attempts": 1, "mode": "standard"},
                connect_timeout=self._timeout,
                read_timeout=self._timeout,
            ),
        )

    def _call_blocking(self, method: str, **kwargs: Any) -> Any:
        from botocore.exceptions import (  # type: ignore[import-untyped, unused-ignore]
            BotoCoreError,
            ClientError,
        )
        from botocore.parsers import ResponseParserError  # type: ignore[import-untyped, unused-ignore]

        try:
            return getattr(self._client, method)(**kwargs)
        except ClientError as exc:
            raise Answered(client_error_answer(exc)) from None
        except (BotoCoreError, ResponseParserError) as exc:
            raise failed(f"Route 53: {shown(type(exc).__name__)}") from None

    async def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        answer = await asyncio.to_thread(self._call_blocking, method, **kwargs)
        if not isinstance(answer, dict):
            raise failed("Route 53 answer is not a structure")
        return answer

    async def zones(self, candidates: list[str]) -> list[Zone]:
        for candidate in candidates:
            answer = await self._call("list_hosted_zones_by_name", DNSName=candidate, MaxItems="1")
            zones = answer.get("HostedZones")
            if not isinstance(zones, list):
                raise failed("hosted zone list is not a list")
            for zone in zones:
                if isinstance(zone, dict) and zone.get("Name") == f"{candidate}." and "Id" in zone:
                    return [Zone(candidate, str(zone["Id"]))]
        return []

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        answer = await self._call(
            "list_resource_record_sets",
            HostedZoneId=zone.id,
            StartRecordName=name,
            StartRecordType=family.record_type,
            MaxItems="1",
        )
        sets = answer.get("ResourceRecordSets")
        if not isinstance(sets, list):
            raise failed("record set list is not a list")
        for found in sets:
            if not isinstance(found, dict) or found.get("Type") != family.record_type:
                continue
            if str(found.get("Name", "")).rstrip(".").lower() != name:
                continue  # the list starts at the name: the next name's set may come first
            values = found.get("ResourceRecords")
            if not isinstance(values, list):
                raise failed("a record set without ResourceRecords")
            return [Record(name, str(v.get("Value")), found) for v in values if isinstance(v, dict)]
        return []

    async def _upsert(self, zone: Zone, name: str, family: Family, content: str, ttl: int) -> None:
        change = {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": name,
                "Type": family.record_type,
                "TTL": ttl,
                "ResourceRecords": [{"Value": content}],
            },
        }
        batch = {"Comment": "homing client", "Changes": [change]}
        answer = await self._call(
            "change_resource_record_sets", HostedZoneId=zone.id, ChangeBatch=batch
        )
        if not isinstance(answer.get("ChangeInfo"), dict):
            raise failed("change answered without ChangeInfo")

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        await self._upsert(zone, name, family, content, self._settings.ttl)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        ttl = record.raw.get("TTL")
        kept = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else self._settings.ttl
        await self._upsert(zone, name, family, content, kept)
