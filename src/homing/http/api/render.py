"""The JSON shape of each resource: rows in, plain dicts out (names without the trailing dot)."""

from __future__ import annotations

from datetime import datetime

from homing.core.api_tokens import TokenScope, utc
from homing.core.dnssec import DnssecStatus
from homing.core.host_records import shown_value
from homing.domain.records import RRset
from homing.store.rows import (
    ApiTokenRow,
    HistoryRow,
    HostRow,
    TokenRow,
    UserRow,
    ZoneRow,
)


def name(fqdn: str | None) -> str | None:
    return fqdn.rstrip(".") if fqdn else fqdn


def when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return utc(value).isoformat().replace("+00:00", "Z")


def zone(row: ZoneRow) -> dict[str, object]:
    return {
        "name": name(row.name),
        "serial": row.serial,
        "nameservers": [name(n) for n in row.nameservers],
        "record_types": list(row.record_types),
    }


def zone_dnssec(status: DnssecStatus) -> dict[str, object]:
    """A zone's DNSSEC state: never the private key, only what the parent needs."""
    found: dict[str, object] = {
        "zone": name(status.zone),
        "signed": status.signed,
        "ds": list(status.ds),
        "dnskey": list(status.dnskey),
    }
    if status.signed:
        found.update(algorithm=status.algorithm, key_tag=status.key_tag, denial="nsec3")
        found["keys"] = [
            {"key_tag": k.key_tag, "algorithm": k.algorithm, "state": k.state, "ds": k.ds}
            for k in status.keys
        ]
        rollover = status.rollover
        found["rollover"] = (
            {
                "phase": rollover.phase,
                "due_at": when(rollover.due_at),
                "next_step": rollover.next_step,
            }
            if rollover is not None
            else None
        )
    return found


def user(row: UserRow) -> dict[str, object]:
    return {
        "name": row.name,
        "admin": row.is_admin,
        "has_password": row.password_hash is not None,
        "created_at": when(row.created_at),
    }


def host(row: HostRow) -> dict[str, object]:
    return {
        "name": name(row.fqdn),
        "zone": name(row.zone),
        "owner": row.owner,
        "ttl": row.ttl,
        "notes": row.notes,
        "wildcard": row.wildcard,
        "offline": row.offline,
        "created_at": when(row.created_at),
        "updated_at": when(row.updated_at),
        "last_source": row.last_source,
        "last_front_door": row.last_front_door,
        "ipv6_interface_id": row.ipv6_interface_id,
        "ipv6_prefix_length": row.ipv6_prefix_length,
        "follows": name(row.follows) if row.follows else None,
    }


def rrset(value: RRset) -> dict[str, object]:
    return {
        "name": name(value.name),
        "type": value.rtype,
        "ttl": value.ttl,
        "values": [shown_value(value.rtype, r) for r in value.rdatas],
    }


def update_token(row: TokenRow) -> dict[str, object]:
    return {
        "id": row.id,
        "label": row.label,
        "prefix": row.prefix,
        "host": name(row.host),
        "created_at": when(row.created_at),
        "revoked_at": when(row.revoked_at),
    }


def api_token(row: ApiTokenRow) -> dict[str, object]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "user": row.user,
        "read_only": row.read_only,
        "hosts": [name(h) for h in row.hosts],
        "types": list(row.types),
        "created_at": when(row.created_at),
        "expires_at": when(row.expires_at),
        "revoked_at": when(row.revoked_at),
    }


def history(row: HistoryRow, scope: TokenScope) -> dict[str, object]:
    """One history row as the caller's token may see it (values cut to its record types)."""
    return {
        "id": row.id,
        "at": when(row.at),
        "host": name(row.fqdn),
        "result": row.outcome,
        "old_value": scope.visible_values(row.old_value),
        "new_value": scope.visible_values(row.new_value),
        "credential": row.credential,
        "source": row.source,
        "front_door": row.front_door,
        "detail": row.detail,
        "count": row.count,
    }
