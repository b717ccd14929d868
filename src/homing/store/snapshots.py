"""A zone's rows as the DNS view loads them: grouped into RRsets with the zone's apex data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import compress
from operator import attrgetter, eq, ne
from typing import Any

from homing.domain.records import RRset, SOAFields, ZoneSnapshot
from homing.store.rows import ZoneRow


def _names_maybe_repeated(names: list[str]) -> set[str]:
    """The names that may have a (name, type) in two runs, given the runs' names in order.

    Found in C-level passes: a set of two million (name, type) tuples cost
    seconds at start-up. Two adjacent runs of one name differ in type, so a
    name whose runs are one block of at most two has none: only a name found
    in two blocks (a host whose address changed has its new records at the
    end of the table, after its other types) or in three runs in a row may.
    """
    maybe = set(compress(names[2:], map(eq, names[2:], names[:-2])))
    starts = list(compress(names, map(ne, names, [None, *names[:-1]])))
    if len(set(starts)) < len(starts):
        maybe.update(name for name, count in Counter(starts).items() if count > 1)
    return maybe


def _grouped(records: Iterable[Any]) -> tuple[RRset, ...]:
    """RRsets from rows in insertion order, each RRset where its first record is.

    The records of an RRset are written together (``replace_rrsets``), so they
    are nearly always adjacent: runs of one (name, type) are joined in one pass
    without a dictionary of two million keys, each made its RRset as it ends
    (no list of runs to go over again). Only the runs of names that may repeat
    one (``_names_maybe_repeated``) are then looked up by (name, type), and a
    repeated one joins the first: after a day of updates that is the hosts
    that changed, not every row.
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
    repeated = _names_maybe_repeated(list(map(attrgetter("name"), rrsets)))
    if not repeated:
        return tuple(rrsets)
    joined: list[RRset] = []
    at: dict[tuple[str, str], int] = {}
    for rrset in rrsets:
        if rrset.name in repeated:
            first = at.get((rrset.name, rrset.rtype))
            if first is not None:
                kept = joined[first]
                joined[first] = RRset(
                    kept.name, kept.rtype, min(kept.ttl, rrset.ttl), kept.rdatas + rrset.rdatas
                )
                continue
            at[rrset.name, rrset.rtype] = len(joined)
        joined.append(rrset)
    return tuple(joined)


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
