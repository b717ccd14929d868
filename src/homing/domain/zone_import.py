"""What importing a master file makes of its records: hosts, zone records, and refusals.

Pure: the records of ``domain.masterfile`` in, an ``ImportPlan`` out, so the
rules can be tested without a database and the store only writes rows.

* Every owner name below the apex with A, AAAA, TXT, MX or CNAME records
  becomes a host (issue 13) with all its records. ``*.name`` and
  ``_acme-challenge.name`` records go with the host ``name``, as updates put
  them there; the host keeps its wildcard flag only when ``*.name`` mirrors
  its addresses exactly (so the next update changes nothing unasked).
* The apex's SOA and NS describe the zone; its other records, and names
  without host records (``_sip._tcp`` SRV, ...), stay zone records.
* DNSSEC records are left out (Homing does not sign what it imports: a
  re-signing provider's signatures would be stale anyway) and counted.
* Refused, with the line: a delegation (NS below the apex: Homing would
  answer for the child instead of referring), a CNAME beside other data
  (RFC 1034 section 3.6.2), a host name Homing would not accept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from homing.domain.edits import ACME_LABEL
from homing.domain.masterfile import SIMPLE_NAME, MasterRecord
from homing.domain.names import normalize_name
from homing.domain.records import RecordType, RRset
from homing.errors import InputError

HOST_TYPES = frozenset({"A", "AAAA", "TXT", "MX", "CNAME"})
DNSSEC_TYPES = frozenset(
    {"RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "CDS", "CDNSKEY", "ZONEMD"}
)
MIN_HOST_TTL, MAX_HOST_TTL = 1, 86400
WILDCARD_PREFIX = "*."
ACME_PREFIX = ACME_LABEL + "."


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedHost:
    fqdn: str
    ttl: int
    wildcard: bool
    rrsets: tuple[RRset, ...]
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneApex:
    """The SOA and NS of the file, for a zone the import creates."""

    mname: str
    rname: str
    refresh: int
    retry: int
    expire: int
    minimum: int
    serial: int
    soa_ttl: int
    nameservers: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportPlan:
    zone: str
    apex: ZoneApex | None
    hosts: tuple[ImportedHost, ...]
    zone_rrsets: tuple[RRset, ...]
    lines: dict[str, int]
    """The first line of every owner name, for messages about names."""
    skipped: Counter[str]

    @property
    def record_count(self) -> int:
        rrsets = (*self.zone_rrsets, *(r for h in self.hosts for r in h.rrsets))
        return sum(len(r.rdatas) for r in rrsets)


def _rrsets(records: Sequence[MasterRecord]) -> dict[tuple[str, str], RRset]:
    """Group into RRsets: duplicates once, one TTL per RRset (the lowest, as resolvers do)."""
    grouped: dict[tuple[str, str], tuple[int, dict[str, None]]] = {}
    for rec in records:
        key = (rec.name, rec.rtype)
        found = grouped.get(key)
        if found is None:
            grouped[key] = (rec.ttl, {rec.rdata: None})
        else:
            found[1][rec.rdata] = None
            if rec.ttl < found[0]:
                grouped[key] = (rec.ttl, found[1])
    return {
        key: RRset(key[0], key[1], ttl, tuple(rdatas)) for key, (ttl, rdatas) in grouped.items()
    }


def _apex(zone: str, rrsets: dict[tuple[str, str], RRset]) -> ZoneApex | None:
    soa = rrsets.pop((zone, "SOA"), None)
    ns = rrsets.pop((zone, "NS"), None)
    if soa is None:
        return None
    fields = soa.rdatas[0].split()
    nameservers = tuple(sorted(ns.rdatas)) if ns else (f"ns1.{zone}",)
    return ZoneApex(
        mname=fields[0],
        rname=fields[1],
        refresh=int(fields[3]),
        retry=int(fields[4]),
        expire=int(fields[5]),
        minimum=int(fields[6]),
        serial=int(fields[2]),
        soa_ttl=soa.ttl,
        nameservers=nameservers,
    )


def _host_name(name: str) -> str | None:
    """The host a name's records belong with, by the rules of the module docstring."""
    for prefix in (WILDCARD_PREFIX, ACME_PREFIX):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def plan_import(zone: str, records: Sequence[MasterRecord]) -> ImportPlan:
    """Decide hosts and zone records for ``records`` of ``zone`` (see the module docstring)."""
    lines: dict[str, int] = {}
    skipped: Counter[str] = Counter()
    kept: list[MasterRecord] = []
    for rec in records:
        lines.setdefault(rec.name, rec.line)
        if rec.rtype in DNSSEC_TYPES:
            skipped[rec.rtype] += 1
        elif rec.rtype == "NS" and rec.name != zone:
            raise InputError(
                f"line {rec.line}: NS records for {rec.name} delegate it; Homing serves the "
                "whole zone itself: remove the delegation (and its glue) from the file"
            )
        elif rec.rtype == "SOA" and rec.name != zone:
            raise InputError(f"line {rec.line}: a SOA record belongs at the apex {zone}")
        else:
            kept.append(rec)
    rrsets = _rrsets(kept)
    apex = _apex(zone, rrsets)
    types_at: dict[str, set[str]] = {}
    for name, rtype in rrsets:
        types_at.setdefault(name, set()).add(rtype)
    for name, types in types_at.items():
        if "CNAME" in types and len(types) > 1:
            raise InputError(
                f"line {lines[name]}: {name} has a CNAME and other records (RFC 1034 3.6.2)"
            )
    host_names = {
        name
        for name, types in types_at.items()
        if name != zone
        and types & HOST_TYPES
        and not name.startswith(WILDCARD_PREFIX)
        and not name.startswith(ACME_PREFIX)
    }
    for name in host_names:
        if not SIMPLE_NAME.match(name):
            try:
                normalize_name(name)
            except InputError as exc:
                raise InputError(f"line {lines[name]}: {name}: {exc}") from None
    by_host: dict[str, list[RRset]] = {name: [] for name in host_names}
    zone_rrsets: list[RRset] = []
    for (name, _), rrset in rrsets.items():
        host = _host_name(name)
        if host in by_host:
            by_host[host].append(rrset)
        else:
            zone_rrsets.append(rrset)
    hosts = tuple(
        _host(name, by_host[name], lines[name]) for name in sorted(by_host, key=lines.__getitem__)
    )
    return ImportPlan(
        zone=zone,
        apex=apex,
        hosts=hosts,
        zone_rrsets=tuple(zone_rrsets),
        lines=lines,
        skipped=skipped,
    )


def _host(fqdn: str, rrsets: list[RRset], line: int) -> ImportedHost:
    if len(rrsets) == 1:
        # The common case, and the only shape of most hosts: one RRset at its name.
        ttl = max(MIN_HOST_TTL, min(rrsets[0].ttl, MAX_HOST_TTL))
        return ImportedHost(fqdn=fqdn, ttl=ttl, wildcard=False, rrsets=tuple(rrsets), line=line)
    own = {r.rtype: r for r in rrsets if r.name == fqdn}
    wildcard = WILDCARD_PREFIX + fqdn
    mirrored = {r.rtype: r for r in rrsets if r.name == wildcard}
    addresses = [own[t] for t in (RecordType.A, RecordType.AAAA) if t in own]
    ttl = min((r.ttl for r in addresses or rrsets), default=60)
    is_mirror = bool(addresses) and set(mirrored) == {r.rtype for r in addresses}
    if is_mirror:
        is_mirror = all(
            sorted(mirrored[r.rtype].rdatas) == sorted(r.rdatas) and mirrored[r.rtype].ttl == r.ttl
            for r in addresses
        )
    return ImportedHost(
        fqdn=fqdn,
        ttl=max(MIN_HOST_TTL, min(ttl, MAX_HOST_TTL)),
        wildcard=is_mirror,
        rrsets=tuple(rrsets),
        line=line,
    )
