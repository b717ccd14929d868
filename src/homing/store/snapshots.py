"""A zone's rows as the DNS view loads them: grouped into RRsets with the zone's apex data."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter, eq, ne
from typing import Any

from homing.domain.records import RRset, SOAFields, ZoneSnapshot
from homing.store.rows import ZoneRow


def _unique(names: list[str]) -> bool:
    """True when no (name, type) has two runs, given the runs' names in order; False also
    when unsure (the merge decides).

    Checked by name, in C-level passes: a set of a million strings where one of
    two million (name, type) tuples cost seconds at start-up. Two adjacent runs
    of one name differ in type, so when every name's runs are one block of at
    most two, no (name, type) repeats.
    """
    if any(map(eq, names[2:], names[:-2])):
        return False
    blocks = 1 + sum(map(ne, names[1:], names[:-1])) if names else 0
    return blocks == len(set(names))


def _grouped(records: Iterable[Any]) -> tuple[RRset, ...]:
    """RRsets from rows in insertion order, each RRset where its first record is.

    The records of an RRset are written together (``replace_rrsets``), so they
    are nearly always adjacent: runs of one (name, type) are joined in one pass
    without a dictionary of two million keys, each made its RRset as it ends
    (no list of runs to go over again), and only when a (name, type) turns up
    in two runs is the slower grouping by key used instead.
    """
    rrsets: list[RRset] = []
    last_name = last_type = ""
    values: list[str] = []
    lowest = 0
    for name, rtype, ttl, rdata in records:
        if name == last_name and rtype == last_type:
            values.append(rdata)
            lowest = min(lowest, ttl)
            continue
        if values:
            rrsets.append(RRset(last_name, last_type, lowest, tuple(values)))
        last_name, last_type, lowest, values = name, rtype, ttl, [rdata]
    if values:
        rrsets.append(RRset(last_name, last_type, lowest, tuple(values)))
    if _unique(list(map(attrgetter("name"), rrsets))):
        return tuple(rrsets)
    merged: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for rrset in rrsets:
        found = merged.get((rrset.name, rrset.rtype))
        if found is None:
            merged[rrset.name, rrset.rtype] = (rrset.ttl, list(rrset.rdatas))
        else:
            found[1].extend(rrset.rdatas)
            merged[rrset.name, rrset.rtype] = (min(found[0], rrset.ttl), found[1])
    return tuple(RRset(name, rtype, ttl, tuple(v)) for (name, rtype), (ttl, v) in merged.items())


def snapshot_of(zone: ZoneRow, records: Iterable[Any]) -> ZoneSnapshot:
    """Group (name, rtype, ttl, rdata) rows into RRsets and wrap them with the zone's apex data.

    Rows stay tuples (no object per record): a million hosts are two million rows.
    """
    rrsets = _grouped(records)
    return ZoneSnapshot(
        zone=zone.name,
        soa=SOAFields(
            mname=zone.mname,
            rname=zone.rname,
            serial=zone.serial,
            refresh=zone.refresh,
            retry=zone.retry,
            expire=zone.expire,
            minimum=zone.minimum,
            ttl=zone.soa_ttl,
        ),
        nameservers=zone.nameservers,
        ns_ttl=zone.soa_ttl,
        rrsets=rrsets,
    )
