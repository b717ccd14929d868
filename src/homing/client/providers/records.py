"""What every REST DNS API provider shares: find the zone, read A/AAAA, create or change them.

Cloudflare, Porkbun, Hetzner, DigitalOcean, Gandi, Linode, GoDaddy, dynv6 and
IONOS differ in paths, field names and error shapes, but not in what a DDNS
client must do with them: find the zone that holds the name, read the
name's records of one type, create the record when it is missing (with the
TTL from the config), and otherwise change only the content of records
that hold another address, so the TTL, proxied flags and comments the owner
set stay as they are. A provider module describes its API (``RecordsApi``);
``RecordsProvider`` does the rest, once for all of them.

``RecordsSettings`` is the table they take (the API's URL, the
credentials, an optional zone, the TTL of created records), and
``TokenSettings`` with ``TokenApi`` the case of one token in one header;
``jsonapi`` is the HTTP half they share.
"""

from __future__ import annotations

import ipaddress
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, Self

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.errors import LookupProblem
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.jsonapi import Answered, JsonApi, no_error, rejected, text_field


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


def held_zones(
    found: list[Any], candidates: list[str], *, name_key: str, id_key: str | None = None
) -> list[Zone]:
    """The ``candidates`` among an account's zone list (ids from ``id_key``, else the name)."""
    held = {
        text_field(z, name_key).lower(): text_field(z, id_key) if id_key else None for z in found
    }
    return [Zone(c, held[c] or c) for c in candidates if c in held]


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


@dataclass(frozen=True)
class TtlRange:
    """A provider's TTL bounds for the records the client creates, and our default."""

    default: int
    low: int
    high: int


@dataclass(frozen=True, kw_only=True)
class RecordsSettings(ABC):
    """The table every REST records provider takes: API URL, credentials, zone, TTL of new records.

    A provider subclasses it with its credential fields and their names in
    ``SECRETS`` (each field is read from the config key of its name), its
    default ``SERVER``, its ``TTL`` range (None where the provider keeps no
    TTL per record: ``ttl`` is then 0 and not a key), and ``api``.
    """

    server: str
    zone: str | None
    ttl: int = 0

    SERVER: ClassVar[str]
    TTL: ClassVar[TtlRange | None]
    SECRETS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def credentials(cls, options: Options) -> dict[str, Secret]:
        """The credential fields by name: those in ``SECRETS``, each read from the key it names."""
        return {key: options.secret(key) for key in cls.SECRETS}

    @classmethod
    def parse(cls, options: Options) -> Self:
        server = options.url("server", cls.SERVER)
        credentials = cls.credentials(options)
        zone = options.optional_string("zone")
        ttl = 0
        if cls.TTL is not None:
            ttl = options.integer("ttl", cls.TTL.default, low=cls.TTL.low, high=cls.TTL.high)
        return cls(server=server, zone=zone, ttl=ttl, **credentials)

    @abstractmethod
    def api(self, http: httpx.AsyncClient) -> RecordsApi:
        """The provider's records API on ``http``: what each provider file defines."""

    def build(self, http: httpx.AsyncClient) -> RecordsProvider:
        return RecordsProvider(self.api(http), zone=self.zone)


@dataclass(frozen=True, kw_only=True)
class TokenSettings(RecordsSettings):
    """The table most REST providers take: ``RecordsSettings`` with one token.

    ``CREDENTIAL_KEY`` is the config key of the token where it is not ``token``.
    """

    token: Secret

    CREDENTIAL_KEY: ClassVar[str] = "token"

    @classmethod
    def credentials(cls, options: Options) -> dict[str, Secret]:
        return {"token": options.secret(cls.CREDENTIAL_KEY)}

    def json_api(
        self,
        http: httpx.AsyncClient,
        *,
        error_of: Callable[[Any], str | None],
        header: str = "Authorization",
        scheme: str | None = "Bearer",
    ) -> JsonApi:
        """The provider's JSON API with the token in ``header`` (``Bearer TOKEN`` by default)."""
        value = f"{scheme} {self.token.value}" if scheme else self.token.value
        return JsonApi(http=http, base=self.server, headers={header: value}, error_of=error_of)


class TokenApi:
    """What a ``TokenSettings`` provider's ``RecordsApi`` starts from: its settings, its JSON API.

    A provider subclasses it with how its API words errors (``error_of``)
    and, where the token is not sent as ``Authorization: Bearer TOKEN``, the
    ``HEADER`` and ``SCHEME`` it goes in.
    """

    HEADER: ClassVar[str] = "Authorization"
    SCHEME: ClassVar[str | None] = "Bearer"
    error_of = staticmethod(no_error)  # the error words in a body, as ``JsonApi`` reads them

    def __init__(self, settings: TokenSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = settings.json_api(
            http, error_of=self.error_of, header=self.HEADER, scheme=self.SCHEME
        )
