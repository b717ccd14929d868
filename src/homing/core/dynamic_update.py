"""An RFC 2136 update applied inside the writer's transaction: read, plan, write, journal.

The writer calls this for each UPDATE on its own transaction, so the
prerequisites are checked against committed data and nothing else writes in
between (RFC 2136 section 3.7: atomic). Records at a host's name (or its
``*.`` and ``_acme-challenge.`` names) stay attached to the host, so they
show in ``homing host show`` and go when the host goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from homing.core.zone_changes import commit_zone_change
from homing.domain.dnsupdate import UpdatePlan, UpdateRcode, UpdateRR, mentioned_names, plan
from homing.domain.edits import RRKey, group_records
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.domain.records import RRset, ZoneChange
from homing.store.rows import HostRow, NewHistory, ZoneRow
from homing.store.transaction import WriteTransaction

HOST_PREFIXES = ("*.", "_acme-challenge.")


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneUpdate:
    """One UPDATE message, in domain terms, with who sent it (and through which door)."""

    zone: str
    prerequisites: Sequence[UpdateRR]
    updates: Sequence[UpdateRR]
    credential: str
    source: str | None
    front_door: FrontDoor = FrontDoor.RFC2136


def _apex_rrsets(zone: ZoneRow) -> dict[RRKey, RRset]:
    soa = (
        f"{zone.mname} {zone.rname} {zone.serial} "
        f"{zone.refresh} {zone.retry} {zone.expire} {zone.minimum}"
    )
    apex = {(zone.name, "SOA"): RRset(zone.name, "SOA", zone.soa_ttl, (soa,))}
    if zone.nameservers:
        apex[(zone.name, "NS")] = RRset(zone.name, "NS", zone.soa_ttl, zone.nameservers)
    return apex


def _owner(name: str, hosts: dict[str, HostRow]) -> HostRow | None:
    if name in hosts:
        return hosts[name]
    for prefix in HOST_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :] in hosts:
            return hosts[name[len(prefix) :]]
    return None


async def apply_zone_update(
    txn: WriteTransaction, update: ZoneUpdate, *, origin: str, at: datetime
) -> tuple[UpdatePlan, ZoneChange | None]:
    """Check and apply ``update``; the change is journaled, not yet published."""
    zone = await txn.zone(update.zone)
    if zone is None:
        return UpdatePlan(UpdateRcode.NOTAUTH), None
    names = mentioned_names(update.prerequisites) | mentioned_names(update.updates)
    rows = await txn.records_named(zone.id, names)
    current = group_records((r.name, r.rtype, r.ttl, r.rdata) for r in rows)
    if zone.name in names:
        current.update(_apex_rrsets(zone))
    result = plan(zone.name, update.prerequisites, update.updates, current)
    if result.rcode is not UpdateRcode.NOERROR or not result.changes:
        return result, None
    changed_names = {rrset.name for rrset in result.changes}
    hosts = await txn.hosts_named(
        {n[len(p) :] for n in changed_names for p in HOST_PREFIXES if n.startswith(p)}
        | changed_names
    )
    owners = {name: _owner(name, hosts) for name in changed_names}
    await txn.replace_rrsets(
        [
            (zone.id, owner.id if (owner := owners[rrset.name]) else None, rrset)
            for rrset in result.changes
        ]
    )
    touched = {owner.id: owner for owner in owners.values() if owner is not None}
    await txn.touch_hosts(
        [
            {
                "b_id": host.id,
                "updated_at": at,
                "last_source": update.source,
                "last_front_door": update.front_door.value,
                "offline": host.offline,
                "wildcard": host.wildcard,
            }
            for host in touched.values()
        ]
    )
    await txn.add_history(
        [
            NewHistory(
                at=at,
                host_id=owner.id if (owner := owners[name]) else None,
                fqdn=name,
                outcome=UpdateOutcome.GOOD.value,
                front_door=update.front_door.value,
                old_value=_summary(current, name),
                new_value=_summary({(r.name, r.rtype): r for r in result.changes}, name, current),
                credential=update.credential,
                source=update.source,
            )
            for name in sorted(changed_names)
        ]
    )
    change = await commit_zone_change(
        txn,
        origin=origin,
        zone_id=zone.id,
        zone=zone.name,
        new=result.changes,
        old=(current.get((r.name, r.rtype)) for r in result.changes),
        at=at,
    )
    return result, change


def _summary(
    rrsets: dict[RRKey, RRset], name: str, fallback: dict[RRKey, RRset] | None = None
) -> str:
    merged = {**(fallback or {}), **rrsets}
    parts = [
        f"{rtype}={','.join(rrset.rdatas)}"
        for (owner, rtype), rrset in sorted(merged.items())
        if owner == name and rrset.rdatas
    ]
    return " ".join(parts) or "-"
