"""What every REST DNS API provider shares: find the zone, read A/AAAA, create or change them.

Cloudflare, Porkbun, Hetzner, DigitalOcean, Gandi, Linode, GoDaddy, dynv6 and
IONOS differ in paths, field names and error shapes, but not in what a DDNS
client must do with them: find the zone that holds the name, read the
name's records of one type, create the record when it is missing (with the
TTL from the config), and otherwise change only the content of records
that hold another address, so the TTL, proxied flags and comments the owner
set stay as they are. A provider module describes its API (``RecordsApi``);
``RecordsProvider`` does the rest, once for all of them.

``JsonApi`` is the HTTP half they share: one JSON call, with network
errors, 429, 5xx, non-JSON bodies and the provider's own error answers
turned into a final ``ProviderAnswer`` carried out by ``Answered``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.errors import LookupProblem
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer


class Answered(Exception):
    """Carries a final answer out of nested API calls."""

    def __init__(self, answer: ProviderAnswer) -> None:
        super().__init__(answer.text)
        self.answer = answer


def failed(text: str) -> Answered:
    """A malformed or unexpected answer: retried with backoff, never taken as success."""
    return Answered(ProviderAnswer(AnswerKind.FAILED, text))


def rejected(text: str) -> Answered:
    """The provider refused: repeating the request cannot help."""
    return Answered(ProviderAnswer(AnswerKind.REJECTED, text))


def zone_candidates(name: str) -> list[str]:
    """``a.b.example.com`` → ``a.b.example.com``, ``b.example.com``, ``example.com``."""
    labels = name.rstrip(".").lower().split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def relative_name(name: str, zone: str) -> str:
    """``home.example.com`` in ``example.com`` → ``home``; the apex is ``""``."""
    name, zone = name.rstrip(".").lower(), zone.rstrip(".").lower()
    if name == zone:
        return ""
    return name[: -len(zone) - 1] if name.endswith(f".{zone}") else name


def no_error(body: Any) -> str | None:
    """For APIs whose success bodies never carry an error."""
    return None


@dataclass(frozen=True, kw_only=True)
class JsonApi:
    """One provider's JSON API: its base URL, its auth headers, and how it words errors.

    ``error_of`` reads the provider's error words from a body, or None when the
    body reports no error (some APIs answer 200 with a failure inside).
    """

    http: httpx.AsyncClient
    base: str
    headers: Mapping[str, str] = field(default_factory=dict)
    error_of: Callable[[Any], str | None] = no_error
    wait_of: Callable[[Any], float | None] | None = None  # a 429 body's wait (GoDaddy)

    async def call(
        self, method: str, path: str, *, absent: frozenset[int] = frozenset(), **kwargs: Any
    ) -> Any:
        """The decoded body of one call (None for 204 or an ``absent`` status); else Answered."""
        url = f"{self.base}{path}"
        response = await send(self.http, method, url, headers=dict(self.headers), **kwargs)
        if isinstance(response, ProviderAnswer):
            raise Answered(response)
        if (early := status_answer(response)) is not None:
            raise Answered(self._with_wait(early, response))
        status = response.status_code
        if status in absent:
            return None
        if 200 <= status < 300 and not response.content:
            return None  # 204, or GoDaddy's empty 200 after a PUT
        try:
            body = response.json()
        except ValueError:
            if 400 <= status < 500 and status != 408:
                raise rejected(f"HTTP {status}") from None
            what = shown(response.text) if response.text.strip() else "empty answer"
            raise failed(f"HTTP {status}: {what!r}") from None
        words = self._error_words(body)
        if 400 <= status < 500 and status != 408:
            raise rejected(f"HTTP {status}: {words or 'no error details'}")
        if not 200 <= status < 300:
            raise failed(f"HTTP {status}: {words or 'unexpected status'}")
        if words is not None:
            raise rejected(words)
        return body

    def _with_wait(self, answer: ProviderAnswer, response: httpx.Response) -> ProviderAnswer:
        """A 429 without a wait in its headers may name one in its body."""
        if answer.kind is not AnswerKind.RATE_LIMITED or answer.retry_after is not None:
            return answer
        if self.wait_of is None:
            return answer
        try:
            wait = self.wait_of(response.json())
        except (ValueError, KeyError, TypeError, AttributeError):
            return answer
        return replace(answer, retry_after=wait)

    def _error_words(self, body: Any) -> str | None:
        try:
            words = self.error_of(body)
        except (KeyError, TypeError, AttributeError, IndexError):
            return "unreadable error answer"
        return shown(words) if words is not None else None


@dataclass(frozen=True)
class Zone:
    """A zone as the provider names it, with the id its API wants in paths."""

    name: str
    id: str


def normalized(text: str) -> str:
    """An address as ``ipaddress`` writes it (``2001:db8:0:0::1`` → ``2001:db8::1``)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text


@dataclass(frozen=True)
class Record:
    """One A or AAAA record: its id, its address, and the provider's own fields."""

    id: str
    content: str
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return normalized(self.content)


class RecordsApi(Protocol):
    """One provider's record API; every method raises Answered for a final answer."""

    async def zones(self, candidates: list[str]) -> list[Zone]:
        """The zones among ``candidates`` (longest first) that this account holds."""
        ...

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        """``name``'s records of ``family``'s type (an empty list when there are none)."""
        ...

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        """A new record for ``name`` holding ``content``, with the configured TTL."""
        ...

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        """Make ``record`` hold ``content``, keeping everything else the owner set on it."""
        ...


def record_list(value: Any, what: str) -> list[Any]:
    """``value`` if it is a list of objects, else a FAILED answer naming ``what``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise failed(f"{what} is not a list of records")
    return value


def body_list(body: Any, key: str) -> list[Any]:
    """``body[key]`` as a list of objects (``{"records": [...]}``), else a FAILED answer."""
    return record_list(body.get(key) if isinstance(body, dict) else None, key)


def text_field(item: Mapping[str, Any], key: str) -> str:
    """A field the provider must send; missing or not a scalar is a malformed answer."""
    value = item.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise failed(f"a record without {key!r}")
    return str(value)


class RecordsProvider:
    """A name's A and AAAA records at a REST API, set from the detected addresses.

    The zone of a name is looked up once and remembered; ``zone`` from the
    config narrows the look-up to that zone.
    """

    def __init__(self, api: RecordsApi, *, zone: str | None) -> None:
        self._api = api
        self._zone = zone.rstrip(".").lower() if zone else None
        self._zones: dict[str, Zone] = {}

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        try:
            zone = await self._zone_of(name)
            changed = [await self._set(zone, name, f, str(a)) for f, a in addresses.items()]
        except Answered as answered:
            return answered.answer
        done = ", ".join(f"{f.record_type} {a}" for f, a in addresses.items())
        if any(changed):
            return ProviderAnswer(AnswerKind.UPDATED, f"set {done}")
        return ProviderAnswer(AnswerKind.UNCHANGED, f"already {done}")

    async def published(
        self, name: str, families: frozenset[Family]
    ) -> dict[Family, frozenset[str]]:
        """The addresses of ``name``'s records per family (start-up repair reads these)."""
        try:
            zone = await self._zone_of(name)
            found = {}
            for family in families:
                records = await self._api.records(zone, name, family)
                found[family] = frozenset(r.address for r in records)
            return found
        except Answered as answered:
            raise LookupProblem(answered.answer.text) from None

    async def _zone_of(self, name: str) -> Zone:
        if name in self._zones:
            return self._zones[name]
        candidates = zone_candidates(name)
        if self._zone is not None:
            if self._zone not in candidates:
                raise rejected(f"{name} is not in the zone {self._zone}")
            candidates = [self._zone]
        for zone in await self._api.zones(candidates):
            if zone.name.rstrip(".").lower() in candidates:
                self._zones[name] = zone
                return zone
        raise rejected(f"no zone for {name} is visible to these credentials")

    async def _set(self, zone: Zone, name: str, family: Family, content: str) -> bool:
        """Make the records hold ``content``; True if anything was changed."""
        records = await self._api.records(zone, name, family)
        if not records:
            await self._api.create(zone, name, family, content)
            return True
        changed = False
        for record in records:
            if record.address != content:
                await self._api.change(zone, name, family, record, content)
                changed = True
        return changed
