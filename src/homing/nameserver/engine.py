"""The answer engine: a pure function from (view, query bytes) to response bytes.

It reads like RFC 1034 section 4.3.2 for an authoritative-only server:
find the zone (else REFUSED — never recursion), find the node, follow a CNAME
within our data, synthesise from a wildcard (RFC 4592), and otherwise answer
NXDOMAIN or NODATA with the SOA for negative caching (RFC 2308). ANY gets one
RRset (RFC 8482). The response must fit the client's UDP size (EDNS, RFC
6891) or it is sent empty with TC set so the client retries over TCP.
Other opcodes go to handlers registered by the caller (NOTIFY, UPDATE), or
get NOTIMP.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Mapping

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from homing.nameserver.answer_cache import AnswerCache
from homing.nameserver.view import ZoneData, ZoneView

log = logging.getLogger(__name__)

MIN_UDP_SIZE = 512
MAX_UDP_SIZE = 4096
TCP_MAX_SIZE = 65535
OUR_EDNS_PAYLOAD = 1232
MAX_CNAME_CHAIN = 8
HEADER = struct.Struct("!HH")
QR_BIT = 0x80
"""The QR flag's bit in the third byte of the header."""
ANY_PREFERENCE = (
    dns.rdatatype.SOA,
    dns.rdatatype.A,
    dns.rdatatype.AAAA,
    dns.rdatatype.CNAME,
    dns.rdatatype.MX,
    dns.rdatatype.TXT,
    dns.rdatatype.NS,
)
ZONE_TRANSFERS = (dns.rdatatype.AXFR, dns.rdatatype.IXFR)

OpcodeHandler = Callable[[dns.message.Message, bool], dns.message.Message | None]


def _formerr(wire: bytes) -> bytes:
    """A FORMERR reply built from the header alone, for queries dnspython cannot parse."""
    query_id, flags = HEADER.unpack_from(wire)
    opcode_bits = flags & 0x7800
    rd = flags & dns.flags.RD
    reply_flags = dns.flags.QR | opcode_bits | rd | dns.rcode.FORMERR
    return HEADER.pack(query_id, reply_flags) + b"\x00" * 8


def _udp_limit(query: dns.message.Message) -> int:
    if query.edns < 0:
        return MIN_UDP_SIZE
    return max(MIN_UDP_SIZE, min(MAX_UDP_SIZE, query.payload))


def _rrset_at(owner: dns.name.Name, rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    """A copy of ``rrset`` owned by ``owner`` (wildcard synthesis)."""
    return dns.rrset.from_rdata_list(owner, rrset.ttl, list(rrset))


def _wildcard_node(
    zone: ZoneData, qname: dns.name.Name
) -> dict[dns.rdatatype.RdataType, dns.rrset.RRset] | None:
    """The wildcard node that covers ``qname`` (source of synthesis), if any (RFC 4592 4.1)."""
    encloser = qname.parent()
    while encloser != zone.origin and not zone.node_exists(encloser):
        encloser = encloser.parent()
    return zone.nodes.get(dns.name.Name((b"*", *encloser.labels)))


class Engine:
    """Answers queries from a ZoneView; ``handlers`` serve other opcodes (NOTIFY, UPDATE)."""

    def __init__(
        self,
        view: ZoneView,
        *,
        handlers: Mapping[int, OpcodeHandler] | None = None,
        cache: AnswerCache | None = None,
    ) -> None:
        self.view = view
        self.handlers = dict(handlers or {})
        self.cache = cache if cache is not None else AnswerCache(view)

    def answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        """The response to ``wire``, or None when nothing should be sent back."""
        if len(wire) < HEADER.size * 3:
            return None
        if wire[2] & QR_BIT:
            return None
        remembered = self.cache.get(wire, tcp=tcp)
        if remembered is not None:
            return remembered
        response = self._answer(wire, tcp=tcp)
        if response is not None:
            self.cache.put(wire, response, tcp=tcp)
        return response

    def _answer(self, wire: bytes, *, tcp: bool) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError, IndexError, struct.error, UnicodeError):
            return _formerr(wire)
        limit = TCP_MAX_SIZE if tcp else _udp_limit(query)
        response = self._respond(query, tcp)
        if response is None:
            return None
        try:
            # Records keep their stored order (as NSD and Knot do by default): the same
            # question gets the same bytes, which is what makes answers cacheable.
            return response.to_wire(max_size=limit, want_shuffle=False)
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query, our_payload=OUR_EDNS_PAYLOAD)
            truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
            return truncated.to_wire(max_size=limit)

    def _respond(self, query: dns.message.Message, tcp: bool) -> dns.message.Message | None:
        opcode = query.opcode()
        if opcode != dns.opcode.QUERY:
            handler = self.handlers.get(opcode)
            if handler is not None:
                return handler(query, tcp)
            return self._error(query, dns.rcode.NOTIMP)
        if query.edns > 0:
            return self._error(query, dns.rcode.BADVERS)
        if len(query.question) != 1:
            return self._error(query, dns.rcode.FORMERR)
        question = query.question[0]
        if question.rdclass != dns.rdataclass.IN:
            return self._error(query, dns.rcode.REFUSED)
        zone = self.view.find_zone(question.name)
        if zone is None or question.rdtype in ZONE_TRANSFERS:
            return self._error(query, dns.rcode.REFUSED)
        response = dns.message.make_response(query, our_payload=OUR_EDNS_PAYLOAD)
        response.flags |= dns.flags.AA
        self._lookup(zone, question.name, question.rdtype, response)
        return response

    @staticmethod
    def _error(query: dns.message.Message, rcode: dns.rcode.Rcode) -> dns.message.Message:
        response = dns.message.make_response(query, our_payload=OUR_EDNS_PAYLOAD)
        response.set_rcode(rcode)
        return response

    def _lookup(
        self,
        zone: ZoneData,
        qname: dns.name.Name,
        qtype: dns.rdatatype.RdataType,
        response: dns.message.Message,
    ) -> None:
        name = qname
        for _ in range(MAX_CNAME_CHAIN):
            node = zone.nodes.get(name)
            if node is None and zone.has_wildcards and not zone.node_exists(name):
                node = _wildcard_node(zone, name)
            if node is None:
                # RFC 6604: the rcode describes the last name of a CNAME chain.
                if not zone.node_exists(name):
                    response.set_rcode(dns.rcode.NXDOMAIN)
                response.authority.append(zone.negative_soa)
                return
            if qtype == dns.rdatatype.ANY:
                for rdtype in ANY_PREFERENCE:
                    if rdtype in node:
                        response.answer.append(self._owned(node[rdtype], name))
                        return
                response.answer.append(self._owned(next(iter(node.values())), name))
                return
            found = node.get(qtype)
            if found is not None:
                response.answer.append(self._owned(found, name))
                return
            cname = node.get(dns.rdatatype.CNAME)
            if cname is None:
                response.authority.append(zone.negative_soa)
                return
            response.answer.append(self._owned(cname, name))
            target = cname[0].target
            zone_of_target = self.view.find_zone(target)
            if zone_of_target is None:
                return
            zone, name = zone_of_target, target
        log.debug("CNAME chain longer than %d at %s", MAX_CNAME_CHAIN, qname)

    @staticmethod
    def _owned(rrset: dns.rrset.RRset, owner: dns.name.Name) -> dns.rrset.RRset:
        return rrset if rrset.name == owner else _rrset_at(owner, rrset)
