"""Zone transfers to the listed secondaries: AXFR (RFC 5936) and IXFR (RFC 1995).

AXFR sends the zone as the DNS view holds it, built in one go so it is one
consistent version. IXFR answers from the journal: each committed change is
already stored as (removed RRsets, added RRsets, new serial); when the
journal does not reach back to the secondary's serial, or a zone reload
happened in between, or the zone is signed (the journal keeps the data, not
the signatures), the answer is a full zone in IXFR form (RFC 1995 section
4). A signed zone transfers with its RRSIGs and NSEC3 chain. Only listed
addresses may transfer, signed with their key when one is set; TSIG runs
across all messages of a transfer (RFC 8945 section 5.3.1).
"""

from __future__ import annotations

import ipaddress
import logging
from collections import Counter
from collections.abc import Iterable, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.serial

from homing.core.journal import JournalKind, decode_change
from homing.domain.records import RRset
from homing.nameserver.engine import DNSRequest, Handler, error_response
from homing.nameserver.view import ZoneContents, ZoneLookup, build_rrset
from homing.store.rows import JournalEntry, SecondaryRow
from homing.store.store import Store

log = logging.getLogger(__name__)

RECORDS_PER_MESSAGE = 400
TCP_MAX_SIZE = 65535


def _same_address(a: str, b: str) -> bool:
    try:
        first, second = ipaddress.ip_address(a), ipaddress.ip_address(b)
    except ValueError:
        return False
    if isinstance(first, ipaddress.IPv6Address) and first.ipv4_mapped:
        first = first.ipv4_mapped
    if isinstance(second, ipaddress.IPv6Address) and second.ipv4_mapped:
        second = second.ipv4_mapped
    return first == second


def allowed(request: DNSRequest, secondaries: Sequence[SecondaryRow]) -> bool:
    """A listed address, signed with its key when it has one."""
    message = request.message
    for secondary in secondaries:
        if not _same_address(request.peer, secondary.address):
            continue
        if secondary.tsig_key is None:
            return True
        keyname = message.keyname if message.had_tsig else None
        signed_by = keyname.to_text().lower() if keyname is not None else None
        if signed_by == secondary.tsig_key:
            return True
    return False


def _soa_with_serial(zone: ZoneContents, serial: int) -> dns.rrset.RRset:
    return dns.rrset.from_rdata(zone.origin, zone.soa.ttl, zone.soa[0].replace(serial=serial))


def _zone_rrsets(zone: ZoneContents) -> list[dns.rrset.RRset]:
    """Every RRset but the SOA, apex first (the view's own objects: nothing is parsed)."""
    apex = zone.nodes.get(zone.origin, {})
    rrsets = [r for t, r in apex.items() if t != dns.rdatatype.SOA]
    for name, node in zone.nodes.items():
        if name != zone.origin:
            rrsets.extend(node.values())
    if zone.dnssec is not None:
        # A signed zone transfers signed: every RRSIG, and the NSEC3 chain with its own.
        rrsets.extend(zone.dnssec.transfer_rrsets())
    return rrsets


def _built(rrsets: Iterable[RRset]) -> list[dns.rrset.RRset]:
    return [b for r in rrsets if r.rdatas and (b := build_rrset(r)) is not None]


def incremental(
    zone: ZoneContents, journal: Sequence[JournalEntry], client_serial: int
) -> list[dns.rrset.RRset] | None:
    """The IXFR answer's records from ``client_serial`` to the zone's serial, or None.

    None means the journal cannot say (too short, or a zone reload in between):
    send the whole zone.
    """
    if zone.dnssec is not None:
        # The journal holds the data, not the signatures each change made: send it all.
        return None
    base = next((i for i, e in enumerate(journal) if e.serial == client_serial), None)
    if base is None:
        return None
    following = journal[base + 1 :]
    if not following or following[-1].serial != zone.serial:
        return None
    if any(entry.kind != JournalKind.CHANGE.value for entry in following):
        return None
    records = [zone.soa]
    previous = client_serial
    for entry in following:
        change = decode_change(zone=entry.zone, serial=entry.serial, payload=entry.payload)
        records.append(_soa_with_serial(zone, previous))
        records.extend(_built(change.removed))
        records.append(_soa_with_serial(zone, change.serial))
        records.extend(_built(change.added))
        previous = change.serial
    records.append(zone.soa)
    return records


def _messages(request: DNSRequest, records: Sequence[dns.rrset.RRset]) -> list[bytes]:
    """Pack ``records`` into as few messages as fit, TSIG-signed as one sequence."""
    groups: list[list[dns.rrset.RRset]] = [[]]
    count = 0
    for rrset in records:
        if count + len(rrset) > RECORDS_PER_MESSAGE and groups[-1]:
            groups.append([])
            count = 0
        groups[-1].append(rrset)
        count += len(rrset)
    wires: list[bytes] = []
    tsig_ctx = None
    pending = list(groups)
    while pending:
        group = pending.pop(0)
        response = dns.message.make_response(request.message)
        response.flags |= dns.flags.AA
        response.answer.extend(group)
        try:
            wires.append(response.to_wire(max_size=TCP_MAX_SIZE, multi=True, tsig_ctx=tsig_ctx))
        except dns.exception.TooBig:
            if len(group) == 1:
                raise
            half = len(group) // 2
            pending[:0] = [group[:half], group[half:]]
            continue
        tsig_ctx = response.tsig_ctx
    return wires


def _client_serial(request: DNSRequest) -> int | None:
    for rrset in request.message.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return int(rrset[0].serial)
    return None


def transfer_handler(
    view: ZoneLookup, store: Store, *, served: Counter[str] | None = None
) -> Handler:
    """The AXFR/IXFR handler; ``served`` counts answers by kind (axfr, ixfr, ixfr_full, refused)."""
    counts: Counter[str] = served if served is not None else Counter()

    async def handle(request: DNSRequest) -> list[bytes]:
        message = request.message
        question = message.question[0]
        zone = view.find_zone(question.name)
        if zone is None or zone.origin != question.name:
            return [error_response(message, dns.rcode.NOTAUTH).to_wire()]
        zone_name = zone.origin.to_text().lower()
        if not allowed(request, await store.secondaries(zone=zone_name)):
            log.info("zone transfer of %s refused to %s", zone_name, request.peer)
            counts["refused"] += 1
            return [error_response(message, dns.rcode.REFUSED).to_wire()]
        if question.rdtype == dns.rdatatype.AXFR:
            if not request.tcp:
                counts["refused"] += 1
                return [error_response(message, dns.rcode.REFUSED).to_wire()]
            counts["axfr"] += 1
            return _messages(request, [zone.soa, *_zone_rrsets(zone), zone.soa])
        client = _client_serial(request)
        if client is None:
            return [error_response(message, dns.rcode.FORMERR).to_wire()]
        if not request.tcp or dns.serial.Serial(client) >= dns.serial.Serial(zone.serial):
            # Up to date, from the future, or over UDP: the current SOA alone (RFC 1995 2, 4).
            counts["ixfr"] += 1
            return _messages(request, [zone.soa])
        changes = incremental(zone, await store.zone_journal(zone_name), client)
        if changes is None:
            log.info(
                "IXFR of %s from %d to %s: journal too short, full zone",
                zone_name,
                client,
                request.peer,
            )
            counts["ixfr_full"] += 1
            return _messages(request, [zone.soa, *_zone_rrsets(zone), zone.soa])
        counts["ixfr"] += 1
        return _messages(request, changes)

    return handle
