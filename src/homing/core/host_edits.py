"""Host edits inside the writer's transaction: each host's new records, its followers', the books.

The writer hands over the batch's edit jobs and an open write transaction;
this module reads the hosts and records they touch, applies each edit with
the pure ``apply_edit``, moves every follower of an edited host (issue 10:
hosts that follow another host's IPv6 prefix, same owner only), and writes
the records, host rows, history and one journal entry per zone. Beside
``dynamic_update.py``, which does the same for RFC 2136.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from homing.core.zone_changes import commit_zone_change
from homing.domain.edits import (
    EditResult,
    HostEdit,
    HostFlags,
    RRKey,
    apply_edit,
    follower_edit,
    group_records,
)
from homing.domain.edits import txt_value as decode_txt
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.domain.prefixes import Ipv6Identity
from homing.domain.records import RecordType, RRset, ViewEvent
from homing.errors import AddressError
from homing.store.rows import HostRow, NewHistory
from homing.store.transaction import WriteTransaction


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateMeta:
    """Who asked, from where, through which protocol: kept in the history row."""

    credential: str
    source: str | None
    front_door: FrontDoor


@dataclass(frozen=True, slots=True, kw_only=True)
class HostResult:
    """The outcome for one host, with the host's records after the update."""

    fqdn: str
    outcome: UpdateOutcome
    ipv4: tuple[str, ...] = ()
    ipv6: tuple[str, ...] = ()
    txt: tuple[str, ...] = ()
    detail: str = ""
    """Why a ``badinput`` was refused, for the answer line."""


EditItems = Sequence[tuple[HostRow, HostEdit]]


@dataclass(slots=True)
class _ZoneDelta:
    """What one batch does to one zone: first old and last new RRset per (name, type)."""

    zone: str
    old: dict[RRKey, RRset | None] = field(default_factory=dict)
    new: dict[RRKey, tuple[int, RRset]] = field(default_factory=dict)


def identity_of(host: HostRow) -> Ipv6Identity:
    """The host's IPv6 settings as the prefix rules take them."""
    interface_id = ipaddress.IPv6Address(host.ipv6_interface_id) if host.ipv6_interface_id else None
    return Ipv6Identity(interface_id=interface_id, prefix_length=host.ipv6_prefix_length)


def _summary(result_rrsets: dict[RRKey, RRset], fqdn: str, offline: bool) -> str:
    parts = [
        f"{rtype}={','.join(rrset.rdatas)}"
        for rtype in ("A", "AAAA", "TXT", "MX")
        if (rrset := result_rrsets.get((fqdn, rtype)))
    ]
    if offline:
        parts.append("offline")
    return " ".join(parts) or "-"


def _result(fqdn: str, outcome: UpdateOutcome, result: EditResult) -> HostResult:
    return HostResult(
        fqdn=fqdn,
        outcome=outcome,
        ipv4=result.values(fqdn, RecordType.A),
        ipv6=result.values(fqdn, RecordType.AAAA),
        txt=tuple(decode_txt(v) for v in result.values(fqdn, RecordType.TXT)),
    )


class _Batch:
    """The state of every touched host while one batch is planned."""

    def __init__(
        self,
        *,
        hosts: dict[int, HostRow],
        state: dict[int, dict[RRKey, RRset]],
        history: list[NewHistory],
        now: datetime,
    ) -> None:
        self.now = now
        self.state = state
        self.flags = {
            hid: HostFlags(offline=h.offline, wildcard=h.wildcard) for hid, h in hosts.items()
        }
        self.deltas: dict[int, _ZoneDelta] = {}
        self.touched: dict[int, dict[str, object]] = {}
        self.nochg: Counter[int] = Counter()
        self.history = history

    def apply(
        self, host: HostRow, edit: HostEdit, meta: UpdateMeta, *, detail: str | None = None
    ) -> tuple[UpdateOutcome, EditResult]:
        """Apply one edit to the planned state; AddressError leaves everything as it was."""
        before = self.state[host.id]
        result = apply_edit(
            fqdn=host.fqdn,
            ttl=host.ttl,
            current=before,
            flags=self.flags[host.id],
            edit=edit,
            identity=identity_of(host),
        )
        changed = bool(result.changed) or result.flags != self.flags[host.id]
        delta = self.deltas.setdefault(host.zone_id, _ZoneDelta(host.zone))
        for rrset in result.changed:
            key = (rrset.name, rrset.rtype)
            delta.old.setdefault(key, before.get(key))
            delta.new[key] = (host.id, rrset)
        outcome = UpdateOutcome.GOOD if changed else UpdateOutcome.NOCHG
        if not changed:
            self.nochg[host.id] += 1
        self.history.append(
            history_row(
                self.now,
                host,
                meta,
                outcome,
                old=_summary(before, host.fqdn, self.flags[host.id].offline),
                new=_summary(result.rrsets, host.fqdn, result.flags.offline),
                detail=detail,
            )
        )
        self.state[host.id] = result.rrsets
        self.flags[host.id] = result.flags
        self.touched[host.id] = {
            "b_id": host.id,
            "updated_at": self.now,
            "last_source": meta.source,
            "last_front_door": meta.front_door.value,
            "offline": result.flags.offline,
            "wildcard": result.flags.wildcard,
        }
        return outcome, result

    def move_followers(
        self, leader: HostRow, edit: HostEdit, meta: UpdateMeta, followers: Sequence[HostRow]
    ) -> None:
        """Give each follower the leader's new IPv4 address and prefix (one transaction)."""
        moved = follower_edit(edit, leader=identity_of(leader))
        if moved is None:
            return
        for follower in followers:
            wanted = moved
            if self._cannot_take_prefix(follower, wanted):
                wanted = replace(wanted, ipv6_prefix=None)
            if wanted.ipv4 is None and wanted.ipv6_prefix is None:
                continue
            marker = len(self.history)
            outcome, _ = self.apply(follower, wanted, meta, detail=f"follows {leader.fqdn}")
            if outcome is UpdateOutcome.NOCHG:
                # A follower that did not move is no news; only the leader's row says "nochg".
                del self.history[marker:]
                self.nochg[follower.id] -= 1
                self.touched.pop(follower.id, None)

    def _cannot_take_prefix(self, host: HostRow, edit: HostEdit) -> bool:
        if edit.ipv6_prefix is None:
            return False
        aaaa = self.state[host.id].get((host.fqdn, RecordType.AAAA.value))
        return host.ipv6_interface_id is None and not (aaaa and aaaa.rdatas)


def history_row(
    now: datetime,
    host: HostRow,
    meta: UpdateMeta,
    outcome: UpdateOutcome,
    *,
    old: str | None = None,
    new: str | None = None,
    gone: bool = False,
    detail: str | None = None,
) -> NewHistory:
    return NewHistory(
        at=now,
        host_id=None if gone else host.id,
        fqdn=host.fqdn,
        outcome=outcome.value,
        front_door=meta.front_door.value,
        old_value=old,
        new_value=new,
        credential=meta.credential,
        source=meta.source,
        detail=detail,
    )


async def apply_host_edits(
    txn: WriteTransaction,
    jobs: Sequence[tuple[EditItems, UpdateMeta]],
    *,
    history: list[NewHistory],
    origin: str,
    now: datetime,
) -> tuple[list[ViewEvent], list[list[HostResult]]]:
    """Apply every job's edits in ``txn``; ``history`` gets the rows to add (and is written)."""
    host_ids = {host.id for items, _ in jobs for host, _ in items}
    hosts, followers = await txn.hosts_and_followers(host_ids)
    hosts.update({f.id: f for group in followers.values() for f in group})
    records = await txn.records_for_hosts(hosts)
    state = {
        hid: group_records((r.name, r.rtype, r.ttl, r.rdata) for r in records.get(hid, ()))
        for hid in hosts
    }
    batch = _Batch(hosts=hosts, state=state, history=history, now=now)
    all_results: list[list[HostResult]] = []
    for items, meta in jobs:
        results: list[HostResult] = []
        for requested, edit in items:
            host = hosts.get(requested.id)
            if host is None:
                results.append(HostResult(fqdn=requested.fqdn, outcome=UpdateOutcome.NOHOST))
                history.append(history_row(now, requested, meta, UpdateOutcome.NOHOST, gone=True))
                continue
            try:
                outcome, result = batch.apply(host, edit, meta)
            except AddressError as exc:
                results.append(
                    HostResult(fqdn=host.fqdn, outcome=UpdateOutcome.BADINPUT, detail=str(exc))
                )
                history.append(
                    history_row(now, host, meta, UpdateOutcome.BADINPUT, detail=str(exc))
                )
                continue
            batch.move_followers(host, edit, meta, followers.get(host.id, ()))
            results.append(_result(host.fqdn, outcome, result))
        all_results.append(results)
    await txn.replace_rrsets(
        [
            (zone_id, host_id, rrset)
            for zone_id, delta in batch.deltas.items()
            for host_id, rrset in delta.new.values()
        ]
    )
    await txn.touch_hosts(list(batch.touched.values()))
    await txn.count_nochg({hid: n for hid, n in batch.nochg.items() if n > 0})
    await txn.add_history(history)
    events: list[ViewEvent] = []
    for zone_id, delta in batch.deltas.items():
        if not delta.new:
            continue
        change = await commit_zone_change(
            txn,
            origin=origin,
            zone_id=zone_id,
            zone=delta.zone,
            new=(rrset for _, rrset in delta.new.values()),
            old=delta.old.values(),
            at=now,
        )
        events.append(change)
    return events, all_results
