"""The reference view of every zone as dnspython objects, patched by change events.

RRsets are built into dnspython objects when an event arrives. The server
answers from the compiled view (``compiled.CompiledView``); this one is what
the differential tests hold the compiled answers to, and ``ZoneContents`` /
``ZoneLookup`` are the read interface both offer the reference engine and
the zone transfers.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import dns.exception
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from homing.domain.records import RRset, ViewEvent, ZoneChange, ZoneRemoved, ZoneSnapshot

if TYPE_CHECKING:
    from homing.nameserver.signatures import ZoneSignatures

log = logging.getLogger(__name__)

Node = dict[dns.rdatatype.RdataType, dns.rrset.RRset]
WILDCARD = b"*"
ANY_PREFERENCE = (
    dns.rdatatype.SOA,
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
    dns.rdatatype.CNAME,
    dns.rdatatype.MX,
    dns.rdatatype.TXT,
    dns.rdatatype.NS,
)
"""The one RRset a query for ANY gets at a name (RFC 8482: a minimal answer)."""


class ZoneContents(Protocol):
    """What the reference engine and the zone transfers read of one zone."""

    @property
    def origin(self) -> dns.name.Name: ...
    @property
    def serial(self) -> int: ...
    @property
    def soa(self) -> dns.rrset.RRset: ...
    @property
    def negative_soa(self) -> dns.rrset.RRset: ...
    @property
    def has_wildcards(self) -> int: ...
    @property
    def nodes(
        self,
    ) -> Mapping[dns.name.Name, Mapping[dns.rdatatype.RdataType, dns.rrset.RRset]]: ...

    def node_exists(self, name: dns.name.Name) -> bool: ...

    @property
    def dnssec(self) -> ZoneSignatures | None:
        """A signed zone's signatures and NSEC3 chain; None for an unsigned zone."""
        ...


class ZoneLookup(Protocol):
    """Finds the zone of a name: the reference view and the compiled view both do."""

    def find_zone(self, qname: dns.name.Name) -> ZoneContents | None: ...


def soa_rrsets(
    snapshot: ZoneSnapshot, origin: dns.name.Name
) -> tuple[dns.rrset.RRset, dns.rrset.RRset, dns.rrset.RRset | None]:
    """The apex SOA, the SOA that negative answers carry (RFC 2308 TTL), and the NS set."""
    s = snapshot.soa
    soa_text = f"{s.mname} {s.rname} {s.serial} {s.refresh} {s.retry} {s.expire} {s.minimum}"
    soa = dns.rrset.from_text(origin, s.ttl, "IN", "SOA", soa_text)
    negative = dns.rrset.from_text(origin, min(s.ttl, s.minimum), "IN", "SOA", soa_text)
    ns = None
    if snapshot.nameservers:
        ns = dns.rrset.from_text_list(
            origin, snapshot.ns_ttl, "IN", "NS", list(snapshot.nameservers)
        )
    return soa, negative, ns


def changed_rrsets(
    change: ZoneChange, origin: dns.name.Name
) -> Iterator[tuple[dns.name.Name, RRset]]:
    """The RRsets of a change that a view may apply: below the apex, inside the zone."""
    for rrset in change.rrsets:
        name = dns.name.from_text(rrset.name)
        if not name.is_subdomain(origin) or name == origin:
            log.error("change outside or at the apex of %s ignored: %s", change.zone, rrset.name)
            continue
        yield name, rrset


def build_rrset(rrset: RRset) -> dns.rrset.RRset | None:
    """dnspython RRset from our text form; None (and a log line) if the rdata is invalid."""
    try:
        return dns.rrset.from_text_list(
            dns.name.from_text(rrset.name),
            rrset.ttl,
            dns.rdataclass.IN,
            rrset.rtype,
            list(rrset.rdatas),
        )
    except (dns.exception.DNSException, ValueError) as exc:
        log.error("ignoring invalid RRset %s %s: %s", rrset.name, rrset.rtype, exc)
        return None


@dataclass(slots=True)
class ZoneData:
    """One zone: its nodes by name, the apex RRsets, and the names that exist only as ancestors."""

    origin: dns.name.Name
    serial: int
    soa: dns.rrset.RRset
    negative_soa: dns.rrset.RRset
    nodes: dict[dns.name.Name, Node] = field(default_factory=dict)
    ancestors: Counter[dns.name.Name] = field(default_factory=Counter)
    has_wildcards: int = 0
    records: int = 0
    """Resource records in the zone (kept as RRsets change, so /metrics need not count)."""

    def node_exists(self, name: dns.name.Name) -> bool:
        """True for a name with records or with descendants (an empty non-terminal)."""
        return name in self.nodes or self.ancestors[name] > 0

    @property
    def dnssec(self) -> ZoneSignatures | None:
        """The reference view serves unsigned zones only (signing is the compiled view's)."""
        return None

    def put(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType, rrset: dns.rrset.RRset | None
    ) -> None:
        node = self.nodes.get(name)
        if rrset is None or len(rrset) == 0:
            if node is None or rdtype not in node:
                return
            self.records -= len(node[rdtype])
            del node[rdtype]
            if not node:
                del self.nodes[name]
                self._count(name, -1)
            return
        if node is None:
            node = self.nodes[name] = {}
            self._count(name, +1)
        old = node.get(rdtype)
        self.records += len(rrset) - (len(old) if old is not None else 0)
        node[rdtype] = rrset

    def _count(self, name: dns.name.Name, delta: int) -> None:
        """Track ancestors between the name and the apex, so they answer NODATA, not NXDOMAIN."""
        if name.labels and name.labels[0] == WILDCARD:
            self.has_wildcards += delta
        parent = name.parent() if name != self.origin else None
        while parent is not None and parent != self.origin and parent.is_subdomain(self.origin):
            self.ancestors[parent] += delta
            if self.ancestors[parent] <= 0:
                del self.ancestors[parent]
            parent = parent.parent()

    def set_serial(self, serial: int) -> None:
        soa = self.soa[0].replace(serial=serial)
        self.serial = serial
        self.soa = dns.rrset.from_rdata(self.origin, self.soa.ttl, soa)
        self.negative_soa = dns.rrset.from_rdata(self.origin, self.negative_soa.ttl, soa)
        self.nodes[self.origin][dns.rdatatype.SOA] = self.soa


def _zone_from(snapshot: ZoneSnapshot) -> ZoneData:
    origin = dns.name.from_text(snapshot.zone)
    soa, negative, ns = soa_rrsets(snapshot, origin)
    zone = ZoneData(origin=origin, serial=snapshot.soa.serial, soa=soa, negative_soa=negative)
    zone.put(origin, dns.rdatatype.SOA, soa)
    if ns is not None:
        zone.put(origin, dns.rdatatype.NS, ns)
    for rrset in snapshot.rrsets:
        built = build_rrset(rrset)
        if built is not None:
            zone.put(built.name, built.rdtype, built)
    return zone


class ZoneView:
    """All zones this server is authoritative for."""

    def __init__(self) -> None:
        self._zones: dict[dns.name.Name, ZoneData] = {}

    def apply(self, event: ViewEvent) -> None:
        if isinstance(event, ZoneSnapshot):
            zone = _zone_from(event)
            self._zones[zone.origin] = zone
            log.info(
                "zone %s loaded (serial %d, %d names)", event.zone, zone.serial, len(zone.nodes)
            )
        elif isinstance(event, ZoneChange):
            self._apply_change(event)
        elif isinstance(event, ZoneRemoved):
            self._zones.pop(dns.name.from_text(event.zone), None)
            log.info("zone %s removed", event.zone)

    def _apply_change(self, change: ZoneChange) -> None:
        zone = self._zones.get(dns.name.from_text(change.zone))
        if zone is None:
            log.warning("change for unknown zone %s ignored", change.zone)
            return
        for name, rrset in changed_rrsets(change, zone.origin):
            rdtype = dns.rdatatype.from_text(rrset.rtype)
            zone.put(name, rdtype, build_rrset(rrset) if rrset.rdatas else None)
        zone.set_serial(change.serial)

    def find_zone(self, qname: dns.name.Name) -> ZoneData | None:
        """The closest enclosing zone of ``qname`` (names compare case-insensitively)."""
        name = qname
        while True:
            zone = self._zones.get(name)
            if zone is not None:
                return zone
            if len(name.labels) <= 1:
                return None
            name = name.parent()

    def serial(self, zone: str) -> int | None:
        found = self._zones.get(dns.name.from_text(zone))
        return found.serial if found else None

    def zones(self) -> list[str]:
        return sorted(z.to_text() for z in self._zones)

    def sizes(self) -> list[tuple[str, int, int]]:
        """(zone, names, records) of every zone, cheap enough for each metrics scrape."""
        return [(z.origin.to_text(), len(z.nodes), z.records) for z in self._zones.values()]
