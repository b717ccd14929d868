"""A host's IPv6 settings inside a management transaction: look up the leader, apply the rules.

The rules themselves are pure (``homing.domain.host_settings``); this module
reads what they need — the host, the host it would follow, whether either
has followers — in the caller's write transaction, so the check and the
write see one state.
"""

from __future__ import annotations

from homing.domain.host_settings import HostFacts, Ipv6SettingsChange, plan_ipv6_settings
from homing.domain.names import normalize_name
from homing.errors import InputError, NameError_
from homing.store.rows import HostRow
from homing.store.transaction import WriteTransaction


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
        try:
            leader = await txn.host(normalize_name(change.follows))
        except NameError_:
            shown = change.follows[:255]
            raise InputError(f"not a host name: {shown!r}", field="follows") from None
    return plan_ipv6_settings(
        change,
        host=await _facts(txn, host),
        leader=await _facts(txn, leader) if leader is not None else None,
    )
