"""Row mapping and the SELECTs shared by the store's readers and its write transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, select

from homing.store import schema as t
from homing.store.rows import (
    AcmeAccountRow,
    ApiTokenRow,
    DnssecKeyRow,
    HostRow,
    JournalEntry,
    SecondaryRow,
    TokenRow,
    TsigKeyRow,
    UserRow,
    ZoneRow,
)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def dnssec_key_row(r: Row[tuple[object, ...]]) -> DnssecKeyRow:
    m = r._mapping
    created = as_utc(m["created_at"])
    return DnssecKeyRow(
        id=m["id"],
        zone_id=m["zone_id"],
        algorithm=int(m["algorithm"]),
        flags=int(m["flags"]),
        private_key=m["private_key"],
        state=m["state"],
        created_at=created,
        changed_at=as_utc(m["changed_at"]) if m["changed_at"] is not None else created,
    )


def zone_row(r: Row[tuple[object, ...]]) -> ZoneRow:
    m = r._mapping
    return ZoneRow(
        id=m["id"],
        name=m["name"],
        serial=m["serial"],
        mname=m["mname"],
        rname=m["rname"],
        nameservers=tuple(m["nameservers"].split()),
        default_ttl=m["default_ttl"],
        soa_ttl=m["soa_ttl"],
        refresh=m["refresh"],
        retry=m["retry"],
        expire=m["expire"],
        minimum=m["minimum"],
        record_types=tuple(m["record_types"].split()),
    )


def user_row(r: Row[tuple[object, ...]]) -> UserRow:
    m = r._mapping
    return UserRow(
        id=m["id"],
        name=m["name"],
        password_hash=m["password_hash"],
        is_admin=bool(m["is_admin"]),
        created_at=m["created_at"],
        totp_secret=m["totp_secret"],
        totp_last_step=m["totp_last_step"],
    )


LEADER = t.hosts.alias("leader")
"""The host a host follows (issue 10). Built once: an alias made per query rebuilt its column
collection every time, several milliseconds of every update (bench/dns_qps.py, 50/s)."""


def host_query() -> Select[tuple[object, ...]]:
    leader = LEADER
    return (
        select(
            t.hosts,
            t.zones.c.name.label("zone"),
            t.users.c.name.label("owner"),
            leader.c.fqdn.label("follows"),
        )
        .join_from(t.hosts, t.zones)
        .join_from(t.hosts, t.users)
        .outerjoin_from(t.hosts, leader, t.hosts.c.follows_id == leader.c.id)
    )


def host_row(r: Row[tuple[object, ...]]) -> HostRow:
    m = r._mapping
    return HostRow(
        id=m["id"],
        fqdn=m["fqdn"],
        zone_id=m["zone_id"],
        zone=m["zone"],
        owner_id=m["owner_id"],
        owner=m["owner"],
        ttl=m["ttl"],
        wildcard=bool(m["wildcard"]),
        offline=bool(m["offline"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        last_source=m["last_source"],
        last_front_door=m["last_front_door"],
        nochg_count=m["nochg_count"],
        notes=m["notes"],
        ipv6_interface_id=m["ipv6_interface_id"],
        ipv6_prefix_length=m["ipv6_prefix_length"],
        follows_id=m["follows_id"],
        follows=m["follows"],
    )


def token_query() -> Select[tuple[object, ...]]:
    return (
        select(t.tokens, t.users.c.name.label("user"), t.hosts.c.fqdn.label("host"))
        .join_from(t.tokens, t.users)
        .outerjoin_from(t.tokens, t.hosts, t.tokens.c.host_id == t.hosts.c.id)
    )


def token_row(r: Row[tuple[object, ...]]) -> TokenRow:
    m = r._mapping
    return TokenRow(
        id=m["id"],
        token_hash=m["token_hash"],
        prefix=m["prefix"],
        user_id=m["user_id"],
        user=m["user"],
        host_id=m["host_id"],
        host=m["host"],
        label=m["label"],
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
    )


def tsig_query() -> Select[tuple[object, ...]]:
    return select(t.tsig_keys, t.zones.c.name.label("zone")).join_from(t.tsig_keys, t.zones)


def tsig_row(r: Row[tuple[object, ...]]) -> TsigKeyRow:
    m = r._mapping
    return TsigKeyRow(
        id=m["id"],
        name=m["name"],
        zone_id=m["zone_id"],
        zone=m["zone"],
        algorithm=m["algorithm"],
        secret=m["secret"],
        names=tuple(m["names"].split()),
        types=tuple(m["types"].split()),
        created_at=m["created_at"],
    )


def secondary_query() -> Select[tuple[object, ...]]:
    return (
        select(t.secondaries, t.zones.c.name.label("zone"), t.tsig_keys.c.name.label("tsig_key"))
        .join_from(t.secondaries, t.zones)
        .outerjoin_from(t.secondaries, t.tsig_keys, t.secondaries.c.tsig_key_id == t.tsig_keys.c.id)
    )


def secondary_row(r: Row[tuple[object, ...]]) -> SecondaryRow:
    m = r._mapping
    return SecondaryRow(
        id=m["id"],
        zone_id=m["zone_id"],
        zone=m["zone"],
        address=m["address"],
        port=m["port"],
        tsig_key=m["tsig_key"],
        created_at=m["created_at"],
    )


def acme_query() -> Select[tuple[object, ...]]:
    return select(t.acme_accounts, t.zones.c.name.label("zone")).join_from(t.acme_accounts, t.zones)


def acme_row(r: Row[tuple[object, ...]]) -> AcmeAccountRow:
    m = r._mapping
    return AcmeAccountRow(
        id=m["id"],
        username=m["username"],
        key_hash=m["key_hash"],
        zone_id=m["zone_id"],
        zone=m["zone"],
        fqdn=m["fqdn"],
        allowfrom=tuple(m["allowfrom"].split()),
        created_at=m["created_at"],
        created_from=m["created_from"],
    )


def api_token_query() -> Select[tuple[object, ...]]:
    return select(
        t.api_tokens, t.users.c.name.label("user"), t.users.c.is_admin.label("is_admin")
    ).join_from(t.api_tokens, t.users)


def api_token_row(r: Row[tuple[object, ...]]) -> ApiTokenRow:
    m = r._mapping
    return ApiTokenRow(
        id=m["id"],
        token_hash=m["token_hash"],
        prefix=m["prefix"],
        user_id=m["user_id"],
        user=m["user"],
        is_admin=bool(m["is_admin"]),
        name=m["name"],
        read_only=bool(m["read_only"]),
        hosts=tuple(m["hosts"].split()),
        types=tuple(m["types"].split()),
        created_at=m["created_at"],
        expires_at=m["expires_at"],
        revoked_at=m["revoked_at"],
    )


def journal_row(r: Row[tuple[object, ...]]) -> JournalEntry:
    m = r._mapping
    return JournalEntry(
        id=m["id"],
        zone=m["zone"],
        serial=m["serial"],
        kind=m["kind"],
        origin=m["origin"],
        payload=m["payload"],
    )


# Statements built once: reusing the object skips SQLAlchemy's per-call construction and
# cache-key work, which bench/updates.py showed to dominate an update's point reads.
HOST_BY_FQDN = host_query().where(t.hosts.c.fqdn == bindparam("fqdn"))
TOKEN_BY_HASH = token_query().where(t.tokens.c.token_hash == bindparam("token_hash"))
SECONDARIES_OF_ZONE = (
    secondary_query()
    .where(t.zones.c.name == bindparam("zone"))
    .order_by(t.zones.c.name, t.secondaries.c.id)
)
USER_BY_NAME = select(t.users).where(t.users.c.name == bindparam("name"))
TSIG_BY_NAME = tsig_query().where(t.tsig_keys.c.name == bindparam("name"))
ZONE_BY_NAME = select(t.zones).where(t.zones.c.name == bindparam("name"))
ACME_BY_USERNAME = acme_query().where(t.acme_accounts.c.username == bindparam("username"))
API_TOKEN_BY_HASH = api_token_query().where(t.api_tokens.c.token_hash == bindparam("token_hash"))
TOKEN_BY_ID = token_query().where(t.tokens.c.id == bindparam("id"))
API_TOKEN_BY_ID = api_token_query().where(t.api_tokens.c.id == bindparam("id"))
HISTORY_AFTER = (
    select(t.history)
    .where(t.history.c.id > bindparam("after"))
    .order_by(t.history.c.id)
    .limit(bindparam("limit"))
)
ALERT_SETTINGS = select(t.alert_settings, t.users.c.name.label("user")).join_from(
    t.alert_settings, t.users
)
POINT_READS: frozenset[Select[Any]] = frozenset(
    {
        HISTORY_AFTER,
        ALERT_SETTINGS,
        HOST_BY_FQDN,
        TOKEN_BY_HASH,
        SECONDARIES_OF_ZONE,
        USER_BY_NAME,
        TSIG_BY_NAME,
        ZONE_BY_NAME,
        ACME_BY_USERNAME,
        API_TOKEN_BY_HASH,
        TOKEN_BY_ID,
        API_TOKEN_BY_ID,
    }
)
"""The statements the point-read paths (``postgres.PointReads``, ``sqlite_reads``) compile
once and keep by identity: only these, never one built per call, whose identity a later
statement could reuse. Besides reads by a unique key, the small reads that follow every
commit: a page of the history after the alert follower's position, the alert settings."""


class MappedRow:
    """A driver's row dressed as the ``Row`` the row mappers read (they use ``_mapping``)."""

    __slots__ = ("_mapping",)

    def __init__(self, mapping: Mapping[str, Any]) -> None:
        self._mapping = mapping
