"""Plain, immutable rows the store hands out; the core never sees SQLAlchemy objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneRow:
    id: int
    name: str
    serial: int
    mname: str
    rname: str
    nameservers: tuple[str, ...]
    default_ttl: int
    soa_ttl: int
    refresh: int
    retry: int
    expire: int
    minimum: int
    record_types: tuple[str, ...] = ("A", "AAAA", "TXT")


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRow:
    id: int
    name: str
    password_hash: str | None
    is_admin: bool
    created_at: datetime
    totp_secret: str | None = None
    totp_last_step: int | None = None

    @property
    def has_totp(self) -> bool:
        """Whether sign-in asks for a one-time code after the password."""
        return self.totp_secret is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostRow:
    id: int
    fqdn: str
    zone_id: int
    zone: str
    owner_id: int
    owner: str
    ttl: int
    wildcard: bool
    offline: bool
    created_at: datetime
    updated_at: datetime | None
    last_source: str | None
    last_front_door: str | None
    nochg_count: int
    notes: str = ""
    ipv6_interface_id: str | None = None
    ipv6_prefix_length: int = 64
    follows_id: int | None = None
    follows: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRow:
    id: int
    token_hash: str
    prefix: str
    user_id: int
    user: str
    host_id: int | None
    host: str | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordRow:
    name: str
    rtype: str
    ttl: int
    rdata: str
    host_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRow:
    id: int
    at: datetime
    host_id: int | None
    fqdn: str | None
    outcome: str
    old_value: str | None
    new_value: str | None
    credential: str | None
    source: str | None
    front_door: str
    detail: str | None
    count: int = 1
    """Refusals this row stands for (one row per source and window, see core/refusals.py)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewHistory:
    """A history row to be written (the id and defaults come from the store)."""

    at: datetime
    host_id: int | None
    fqdn: str | None
    outcome: str
    front_door: str
    old_value: str | None = None
    new_value: str | None = None
    credential: str | None = None
    source: str | None = None
    detail: str | None = None
    count: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntry:
    id: int
    zone: str
    serial: int
    kind: str
    origin: str
    payload: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DnssecKeyRow:
    """A signing key of a zone; ``private_key`` (PEM) never leaves the server."""

    id: int
    zone_id: int
    algorithm: int
    flags: int
    private_key: str
    state: str
    created_at: datetime
    changed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TsigKeyRow:
    """A TSIG key and what it may change: name patterns (empty: the whole zone) and types."""

    id: int
    name: str
    zone_id: int
    zone: str
    algorithm: str
    secret: str
    names: tuple[str, ...]
    types: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SecondaryRow:
    """A server allowed to transfer a zone, and told by NOTIFY when it changes."""

    id: int
    zone_id: int
    zone: str
    address: str
    port: int
    tsig_key: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AcmeAccountRow:
    """An acme-dns account: the name its TXT values live at, and who may set them."""

    id: int
    username: str
    key_hash: str
    zone_id: int
    zone: str
    fqdn: str
    allowfrom: tuple[str, ...]
    created_at: datetime
    created_from: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiTokenRow:
    """A REST API token: its owner and scope (empty ``hosts``/``types``: all); never the secret."""

    id: int
    token_hash: str
    prefix: str
    user_id: int
    user: str
    is_admin: bool
    name: str
    read_only: bool
    hosts: tuple[str, ...]
    types: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
