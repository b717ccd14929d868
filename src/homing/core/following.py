"""A host's IPv6 settings inside a management transaction: look up the leader, apply the rules.

The rules themselves are pure (``homing.domain.host_settings``); this module
reads what they need — the host, the host it would follow, whether either
has followers — in the caller's write transaction, so the check and the
write see one state. A host that starts following (or gets a new
identifier) takes its leader's current addresses at once, through the same
``apply_host_edits`` the writer uses, so ``homing host set nas --follows
home`` makes the name resolve without waiting for the router's next update.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from homing.core.host_edits import UpdateMeta, apply_host_edits, identity_of
from homing.domain.edits import HostEdit, follower_edit, group_records
from homing.domain.host_settings import HostFacts, Ipv6SettingsChange, plan_ipv6_settings
from homing.domain.names import normalize_name
from homing.domain.outcomes import FrontDoor
from homing.domain.records import RecordType
from homing.errors import InputError, NameError_
from homing.store.rows import HostRow
from homing.store.transaction import WriteTransaction

CLI_CHANGE = UpdateMeta(credential="cli", source=None, front_door=FrontDoor.CLI)


async def _facts(txn: WriteTransaction, row: HostRow) -> HostFacts:
    followers = (await txn.followers_of([row])).get(row.id, [])
    return HostFacts(
        id=row.id,
        fqdn=row.fqdn,
        owner_id=row.owner_id,
        follows_id=row.follows_id,
        has_followers=bool(followers),
    )


async def ipv6_columns(
    txn: WriteTransaction, host: HostRow, change: Ipv6SettingsChange
) -> dict[str, object]:
    """The host columns ``change`` sets; InputError/ForbiddenError when it is not allowed."""
    leader: HostRow | None = None
    if change.follows and change.follows.strip():
        wanted = change.follows.strip()
        if "." not in wanted.rstrip("."):
            wanted = f"{wanted}.{host.zone}"  # a bare label names a host of the same zone
        try:
            leader = await txn.host(normalize_name(wanted))
        except NameError_:
            shown = change.follows[:255]
            raise InputError(f"not a host name: {shown!r}", field="follows") from None
    return plan_ipv6_settings(
        change,
        host=await _facts(txn, host),
        leader=await _facts(txn, leader) if leader is not None else None,
    )


async def catch_up(txn: WriteTransaction, host: HostRow, *, by: UpdateMeta, origin: str) -> None:
    """Give a follower its leader's current IPv4 address and IPv6 prefix (same owner only)."""
    if host.follows_id is None:
        return
    leader = (await txn.hosts_by_id([host.follows_id])).get(host.follows_id)
    if leader is None or leader.owner_id != host.owner_id:
        return
    records = await txn.records_for_hosts([leader.id, host.id])
    current = group_records((r.name, r.rtype, r.ttl, r.rdata) for r in records.get(leader.id, ()))
    a = current.get((leader.fqdn, RecordType.A.value))
    aaaa = current.get((leader.fqdn, RecordType.AAAA.value))
    edit = follower_edit(
        HostEdit(
            ipv4=ipaddress.IPv4Address(a.rdatas[0]) if a else None,
            ipv6=ipaddress.IPv6Address(aaaa.rdatas[0]) if aaaa else None,
        ),
        leader=identity_of(leader),
    )
    if edit is None:
        return
    has_aaaa = any(r.rtype == RecordType.AAAA.value for r in records.get(host.id, ()))
    if host.ipv6_interface_id is None and not has_aaaa:
        edit = HostEdit(ipv4=edit.ipv4)  # nothing to put behind the prefix yet
        if edit.ipv4 is None:
            return
    await apply_host_edits(
        txn, [([(host, edit)], by)], history=[], origin=origin, now=datetime.now(UTC)
    )
