"""Cloudflare API v4 with a scoped API token: find the zone, then create or PATCH A/AAAA.

Only ``content`` is changed on an existing record, so the owner's
``proxied`` and TTL choices stay; ``proxied`` and ``ttl`` from the config
apply to records this client creates. The token needs Zone:Read and
DNS:Edit on the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.errors import LookupProblem
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer


class _Answered(Exception):
    """Carries a final answer out of the nested API calls."""

    def __init__(self, answer: ProviderAnswer) -> None:
        super().__init__(answer.text)
        self.answer = answer


def api_errors(body: Any) -> str:
    """Cloudflare's error list as one line (``9109 Invalid access token``)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return "no error details"
    parts = [f"{e.get('code', '?')} {e.get('message', '')}" for e in errors if isinstance(e, dict)]
    return shown("; ".join(parts))


def zone_candidates(name: str) -> list[str]:
    """``a.b.example.com`` → ``a.b.example.com``, ``b.example.com``, ``example.com``."""
    labels = name.rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


@dataclass(frozen=True, kw_only=True)
class CloudflareSettings:
    """The API endpoint, the token, an optional zone, and what new records get."""

    api_url: str
    token: Secret
    zone: str | None
    ttl: int
    proxied: bool

    @classmethod
    def parse(cls, options: Options) -> CloudflareSettings:
        return cls(
            api_url=options.url("api_url", "https://api.cloudflare.com/client/v4"),
            token=options.secret("token"),
            zone=options.optional_string("zone"),
            ttl=options.integer("ttl", 1, low=1, high=86400),
            proxied=options.boolean("proxied", False),
        )

    def build(self, http: httpx.AsyncClient) -> CloudflareProvider:
        return CloudflareProvider(self, http)


class CloudflareProvider:
    """One record per family; the zone id is looked up once per name."""

    def __init__(self, settings: CloudflareSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._zones: dict[str, str] = {}

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        try:
            zone_id = await self._zone_id(name)
            changed = [await self._set(zone_id, name, f, str(a)) for f, a in addresses.items()]
        except _Answered as answered:
            return answered.answer
        done = ", ".join(f"{f.record_type} {a}" for f, a in addresses.items())
        if any(changed):
            return ProviderAnswer(AnswerKind.UPDATED, f"set {done}")
        return ProviderAnswer(AnswerKind.UNCHANGED, f"already {done}")

    async def published(
        self, name: str, families: frozenset[Family]
    ) -> dict[Family, frozenset[str]]:
        """The contents of ``name``'s records per family (start-up repair reads these)."""
        try:
            zone_id = await self._zone_id(name)
            return {f: frozenset(await self._contents(zone_id, name, f)) for f in families}
        except _Answered as answered:
            raise LookupProblem(answered.answer.text) from None

    async def _records(self, zone_id: str, name: str, family: Family) -> list[Any]:
        records = await self._call(
            "GET",
            f"/zones/{zone_id}/dns_records",
            params={"type": family.record_type, "name": name},
        )
        if not isinstance(records, list):
            raise _Answered(ProviderAnswer(AnswerKind.FAILED, "record list is not a list"))
        return records

    async def _contents(self, zone_id: str, name: str, family: Family) -> list[str]:
        records = await self._records(zone_id, name, family)
        return [str(r.get("content")) for r in records if isinstance(r, dict)]

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The ``result`` of one API call; any failure becomes a final answer."""
        headers = {"Authorization": f"Bearer {self._settings.token.value}"}
        url = f"{self._settings.api_url}{path}"
        response = await send(self._http, method, url, headers=headers, **kwargs)
        if isinstance(response, ProviderAnswer):
            raise _Answered(response)
        if (early := status_answer(response)) is not None:
            raise _Answered(early)
        try:
            body = response.json()
        except ValueError:
            what = shown(response.text) if response.text.strip() else "empty answer"
            raise _Answered(
                ProviderAnswer(AnswerKind.FAILED, f"HTTP {response.status_code}: {what!r}")
            ) from None
        if response.status_code in {400, 401, 403} or (
            isinstance(body, dict) and body.get("success") is False
        ):
            kind = AnswerKind.REJECTED if response.status_code < 500 else AnswerKind.FAILED
            raise _Answered(
                ProviderAnswer(kind, f"HTTP {response.status_code}: {api_errors(body)}")
            )
        if not isinstance(body, dict) or "result" not in body:
            raise _Answered(ProviderAnswer(AnswerKind.FAILED, "answer without a result"))
        return body["result"]

    async def _zone_id(self, name: str) -> str:
        if name in self._zones:
            return self._zones[name]
        candidates = [self._settings.zone] if self._settings.zone else zone_candidates(name)
        for candidate in candidates:
            result = await self._call("GET", "/zones", params={"name": candidate})
            if isinstance(result, list) and result and isinstance(result[0], dict):
                self._zones[name] = str(result[0]["id"])
                return self._zones[name]
        raise _Answered(
            ProviderAnswer(AnswerKind.REJECTED, f"no zone for {name} is visible to this token")
        )

    async def _set(self, zone_id: str, name: str, family: Family, content: str) -> bool:
        """Make the record hold ``content``; True if anything was changed."""
        records = await self._records(zone_id, name, family)
        if not records:
            record = {
                "type": family.record_type,
                "name": name,
                "content": content,
                "ttl": self._settings.ttl,
                "proxied": self._settings.proxied,
            }
            await self._call("POST", f"/zones/{zone_id}/dns_records", json=record)
            return True
        changed = False
        for record in records:
            if isinstance(record, dict) and record.get("content") != content:
                path = f"/zones/{zone_id}/dns_records/{record['id']}"
                await self._call("PATCH", path, json={"content": content})
                changed = True
        return changed
