"""netcup CCP DNS API: JSON actions POSTed to one endpoint, inside a login session.

Every request is ``{"action": ..., "param": {...}}`` and every answer says
``status`` (``success`` or ``error``) with a ``statuscode`` and messages,
under HTTP 200 either way. An update logs in (customer number, API key,
API password), reads the zone's records with ``infoDnsRecords``, writes
changed or new ones with ``updateDnsRecords`` (an existing record is sent
back whole, with its id, priority and state; only ``destination``
changes), and logs out. netcup keeps one TTL per zone, never per record,
and this client never changes it. Too many requests (180 a minute) is an
error whose message says so: the client waits a minute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.errors import LookupProblem
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import shown
from homing.client.providers.jsonapi import Answered, JsonApi, failed, record_list, text_field
from homing.client.providers.records import Record, RecordsProvider, Zone, relative_name

log = logging.getLogger(__name__)

RATE_LIMIT_WAIT = 60.0


def netcup_answer(body: Any) -> Any:
    """The ``responsedata`` of a successful action; an error answer becomes final."""
    if not isinstance(body, dict) or body.get("status") not in ("success", "error"):
        raise failed("answer without a status")
    if body["status"] == "success":
        return body.get("responsedata")
    words = shown(
        f"{body.get('statuscode', '?')} {body.get('shortmessage', '')} "
        f"{body.get('longmessage', '')}"
    )
    if "requests per minute" in str(body.get("longmessage", "")):
        raise Answered(ProviderAnswer(AnswerKind.RATE_LIMITED, words, RATE_LIMIT_WAIT))
    raise Answered(ProviderAnswer(AnswerKind.REJECTED, words))


@dataclass(frozen=True, kw_only=True)
class NetcupSettings:
    """The endpoint, the customer number, the API key and password, an optional zone."""

    server: str
    customer: str
    api_key: Secret
    api_password: Secret
    zone: str | None

    @classmethod
    def parse(cls, options: Options) -> NetcupSettings:
        customer = options.required_string("customer_number", what="the netcup customer number")
        if not customer.strip().isdigit():
            raise options.error("customer_number", "expected the customer number (digits)")
        return cls(
            server=options.url(
                "server", "https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON"
            ),
            customer=customer.strip(),
            api_key=options.secret("api_key"),
            api_password=options.secret("api_password"),
            zone=options.optional_string("zone"),
        )

    def build(self, http: httpx.AsyncClient) -> NetcupProvider:
        return NetcupProvider(self, http)


class NetcupApi:
    """The records side of the CCP API, used inside a session that ``NetcupProvider`` holds."""

    def __init__(self, settings: NetcupSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = JsonApi(http=http, base=settings.server)
        self.session: str | None = None

    async def action(self, action: str, **param: Any) -> Any:
        s = self._settings
        keys: dict[str, Any] = {"customernumber": s.customer, "apikey": s.api_key.value}
        if action == "login":
            keys["apipassword"] = s.api_password.value
        elif self.session is not None:
            keys["apisessionid"] = self.session
        body = await self._api.call("POST", "", json={"action": action, "param": {**keys, **param}})
        return netcup_answer(body)

    async def login(self) -> None:
        data = await self.action("login")
        session = data.get("apisessionid") if isinstance(data, dict) else None
        if not isinstance(session, str) or not session:
            raise failed("login without a session id")
        self.session = session

    async def logout(self) -> None:
        try:
            await self.action("logout")
        except Answered as answered:
            # The session expires on its own; the update's answer stands.
            log.debug("netcup logout failed: %s", answered.answer.text)
        self.session = None

    async def zones(self, candidates: list[str]) -> list[Zone]:
        for candidate in candidates:
            try:
                await self.action("infoDnsZone", domainname=candidate)
            except Answered as answered:
                if answered.answer.kind is not AnswerKind.REJECTED:
                    raise
                continue  # not a domain of this account: try the parent
            return [Zone(candidate, candidate)]
        return []

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        data = await self.action("infoDnsRecords", domainname=zone.id)
        found = record_list(data.get("dnsrecords") if isinstance(data, dict) else None, "records")
        wanted = relative_name(name, zone.name) or "@"
        return [
            Record(text_field(r, "id"), text_field(r, "destination"), r)
            for r in found
            if r.get("type") == family.record_type and r.get("hostname") == wanted
        ]

    async def _write(self, zone: Zone, record: dict[str, Any]) -> None:
        records = {"dnsrecords": [record]}
        await self.action("updateDnsRecords", domainname=zone.id, dnsrecordset=records)

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        hostname = relative_name(name, zone.name) or "@"
        record = {"hostname": hostname, "type": family.record_type, "destination": content}
        await self._write(zone, {**record, "priority": "", "deleterecord": False})

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        await self._write(zone, {**record.raw, "destination": content, "deleterecord": False})


class NetcupProvider:
    """Each update (and each read for start-up repair) in its own login session."""

    def __init__(self, settings: NetcupSettings, http: httpx.AsyncClient) -> None:
        self._api = NetcupApi(settings, http)
        self._records = RecordsProvider(self._api, zone=settings.zone)

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        try:
            await self._api.login()
        except Answered as answered:
            return answered.answer
        try:
            return await self._records.update(name, addresses)
        finally:
            await self._api.logout()

    async def published(
        self, name: str, families: frozenset[Family]
    ) -> dict[Family, frozenset[str]]:
        """The zone's addresses for ``name`` (start-up repair reads these)."""
        try:
            await self._api.login()
        except Answered as answered:
            raise LookupProblem(answered.answer.text) from None
        try:
            return await self._records.published(name, families)
        finally:
            await self._api.logout()
