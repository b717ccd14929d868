"""RFC 2136 dynamic update semantics as pure functions: prescan, prerequisites, the update.

The front door turns the UPDATE message into ``UpdateRR`` values (text, as
everywhere in the domain); the writer hands in the current RRsets of every
name the message mentions; ``plan`` returns the rcode and, on success, the new
state of each (name, type) it changes. Nothing here does I/O, so the whole
RFC logic is tested without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from homing.domain.edits import RRKey
from homing.domain.names import is_subdomain
from homing.domain.records import RRset

NEVER_IN_AN_UPDATE = frozenset({"AXFR", "IXFR", "MAILA", "MAILB"})
APEX_TYPES = frozenset({"SOA", "NS"})
"""Managed by ``homing zone``; an update that touches them at the apex is refused."""


class UpdateRcode(StrEnum):
    """The answers of RFC 2136 section 2.2 (and REFUSED for policy)."""

    NOERROR = "NOERROR"
    FORMERR = "FORMERR"
    SERVFAIL = "SERVFAIL"
    NXDOMAIN = "NXDOMAIN"
    REFUSED = "REFUSED"
    YXDOMAIN = "YXDOMAIN"
    YXRRSET = "YXRRSET"
    NXRRSET = "NXRRSET"
    NOTAUTH = "NOTAUTH"
    NOTZONE = "NOTZONE"


@dataclass(frozen=True, slots=True)
class UpdateRR:
    """One RR of the prerequisite or update section; ``rdata`` None means RDLENGTH 0."""

    name: str
    rtype: str
    rclass: str
    ttl: int
    rdata: str | None


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    rcode: UpdateRcode
    changes: tuple[RRset, ...] = ()


def mentioned_names(rrs: Iterable[UpdateRR]) -> set[str]:
    return {rr.name for rr in rrs}


def prescan(
    origin: str, prerequisites: Sequence[UpdateRR], updates: Sequence[UpdateRR]
) -> UpdateRcode | None:
    """The checks of RFC 2136 3.2 and 3.4.1 that need no zone data; None when all pass."""
    for rr in prerequisites:
        if not is_subdomain(rr.name, origin):
            return UpdateRcode.NOTZONE
        if rr.ttl != 0:
            return UpdateRcode.FORMERR
        if rr.rclass in {"ANY", "NONE"}:
            if rr.rdata is not None:
                return UpdateRcode.FORMERR
        elif rr.rclass != "IN" or rr.rtype == "ANY" or rr.rdata is None:
            return UpdateRcode.FORMERR
    for rr in updates:
        if not is_subdomain(rr.name, origin):
            return UpdateRcode.NOTZONE
        if rr.rtype in NEVER_IN_AN_UPDATE:
            return UpdateRcode.FORMERR
        if rr.rclass == "IN":
            if rr.rtype == "ANY" or rr.rdata is None:
                return UpdateRcode.FORMERR
        elif rr.rclass == "ANY":
            if rr.ttl != 0 or rr.rdata is not None:
                return UpdateRcode.FORMERR
        elif rr.rclass == "NONE":
            if rr.ttl != 0 or rr.rtype == "ANY" or rr.rdata is None:
                return UpdateRcode.FORMERR
        else:
            return UpdateRcode.FORMERR
        if rr.name == origin and (rr.rtype in APEX_TYPES or rr.rtype == "ANY"):
            return UpdateRcode.REFUSED
    return None


def _check_prerequisites(
    prerequisites: Sequence[UpdateRR], current: Mapping[RRKey, RRset]
) -> UpdateRcode | None:
    in_use = {name for (name, _), rrset in current.items() if rrset.rdatas}
    wanted: dict[RRKey, set[str]] = {}
    for rr in prerequisites:
        key = (rr.name, rr.rtype)
        exists = bool(current.get(key) and current[key].rdatas)
        if rr.rclass == "ANY" and rr.rtype == "ANY" and rr.name not in in_use:
            return UpdateRcode.NXDOMAIN
        if rr.rclass == "ANY" and rr.rtype != "ANY" and not exists:
            return UpdateRcode.NXRRSET
        if rr.rclass == "NONE" and rr.rtype == "ANY" and rr.name in in_use:
            return UpdateRcode.YXDOMAIN
        if rr.rclass == "NONE" and rr.rtype != "ANY" and exists:
            return UpdateRcode.YXRRSET
        if rr.rclass == "IN" and rr.rdata is not None:
            wanted.setdefault(key, set()).add(rr.rdata)
    for key, rdatas in wanted.items():
        found = current.get(key)
        if found is None or set(found.rdatas) != rdatas:
            return UpdateRcode.NXRRSET
    return None


def _apply(updates: Sequence[UpdateRR], state: dict[RRKey, RRset]) -> None:
    for rr in updates:
        key = (rr.name, rr.rtype)
        if rr.rclass == "IN":
            assert rr.rdata is not None
            types_here = {t for (n, t), s in state.items() if n == rr.name and s.rdatas}
            if rr.rtype == "CNAME" and types_here - {"CNAME"}:
                continue  # RFC 2136 3.4.2.2: a CNAME cannot join other data
            if rr.rtype != "CNAME" and "CNAME" in types_here:
                continue
            old = state.get(key)
            rdatas = old.rdatas if old else ()
            if rr.rtype == "CNAME":
                rdatas = ()  # a CNAME RRset holds one record: the new one replaces it
            if rr.rdata not in rdatas:
                rdatas = (*rdatas, rr.rdata)
            state[key] = RRset(rr.name, rr.rtype, rr.ttl, rdatas)
        elif rr.rclass == "ANY":
            keys = [k for k in state if k[0] == rr.name] if rr.rtype == "ANY" else [key]
            for found in keys:
                if found in state:
                    state[found] = RRset(found[0], found[1], state[found].ttl, ())
        elif rr.rclass == "NONE" and key in state:
            old = state[key]
            state[key] = RRset(
                old.name, old.rtype, old.ttl, tuple(r for r in old.rdatas if r != rr.rdata)
            )


def plan(
    origin: str,
    prerequisites: Sequence[UpdateRR],
    updates: Sequence[UpdateRR],
    current: Mapping[RRKey, RRset],
) -> UpdatePlan:
    """Check the prerequisites against ``current`` and apply the updates, all or nothing.

    ``current`` holds every RRset of every name the message mentions (the apex
    SOA and NS included when the apex is mentioned).
    """
    failed = prescan(origin, prerequisites, updates)
    if failed is None:
        failed = _check_prerequisites(prerequisites, current)
    if failed is not None:
        return UpdatePlan(failed)
    state = dict(current)
    _apply(updates, state)
    changes = tuple(rrset for key, rrset in state.items() if _differs(current.get(key), rrset))
    return UpdatePlan(UpdateRcode.NOERROR, changes)


def _differs(before: RRset | None, after: RRset) -> bool:
    if before is None:
        return bool(after.rdatas)
    if set(before.rdatas) != set(after.rdatas):
        return True
    return bool(after.rdatas) and before.ttl != after.ttl
